package dev.fanout.aggregator.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneGroups;
import dev.fanout.config.LaneLag;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.ops.GaugeSample;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fanout_lane_lag{lane, group, topic}}: per jobs lane, the records its worker group has not finished yet
 * ({@link LaneLag}), read by the aggregator, which runs when no worker does (so KEDA can scale workers up from zero
 * on it). The group of a lane is the live workers' (a share group for their share lanes), else the one last seen,
 * else the deployment's default worker group. Read in the background at most every {@link #REFRESH}, and only while
 * someone scrapes: a scrape answers the latest reading at once. The registry is read at most every
 * {@link #REGISTRY_REFRESH}. When Kafka cannot be read, the gauge has no samples until it can.
 */
public final class LaneLagMetric implements AutoCloseable {

    /** The metric's name. */
    public static final String NAME = "fanout_lane_lag";
    public static final String HELP = "Records of a jobs lane its worker group has not finished yet (end offsets"
            + " minus committed offsets, or minus a share group's start offsets)";
    /** The most often the lag is read. */
    public static final Duration REFRESH = Duration.ofSeconds(10);
    /** The most often the worker registry is read for the lanes' groups. */
    public static final Duration REGISTRY_REFRESH = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(LaneLagMetric.class);

    private final KafkaSettings kafka;
    private final InstantSource clock;
    private final Supplier<List<WorkerStatus>> registry;
    private final Function<Map<Lane, LaneLag.LaneGroup>, List<LaneLag.Reading>> reader;
    private final Executor background;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final Map<Lane, LaneLag.LaneGroup> lastSeen = new EnumMap<>(Lane.class);
    private volatile List<GaugeSample> samples = List.of();
    private volatile Instant readAt;
    private List<WorkerStatus> workers;
    private Instant workersAt;
    private boolean failing;
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

    /**
     * @param registry   reads the worker registry
     * @param reader     reads the lag of lanes on their groups
     * @param background where the readings run
     */
    public LaneLagMetric(KafkaSettings kafka, InstantSource clock, Supplier<List<WorkerStatus>> registry,
            Function<Map<Lane, LaneLag.LaneGroup>, List<LaneLag.Reading>> reader, Executor background) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.background = Objects.requireNonNull(background, "background");
    }

    /**
     * The metric of a deployment, read on a daemon thread of its own with one admin client (opened at the first
     * reading), both closed by {@link #close}.
     */
    public static LaneLagMetric start(KafkaSettings kafka, InstantSource clock) {
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread reader = new Thread(task, "fanout-lane-lag");
            reader.setDaemon(true);
            return reader;
        });
        Map<String, Object> props = kafka.clientProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "fanout-lane-lag");
        AtomicReference<Admin> admin = new AtomicReference<>();
        LaneLagMetric metric = new LaneLagMetric(kafka, clock,
                () -> WorkerRegistry.read(kafka, clock, WorkerRegistry.DEFAULT_LOOKBACK),
                groups -> LaneLag.read(admin.updateAndGet(open -> open != null ? open : Admin.create(props)), kafka,
                        groups),
                thread);
        metric.owned.add(thread::shutdownNow);
        metric.owned.add(() -> {
            Admin opened = admin.getAndSet(null);
            if (opened != null) {
                opened.close(Duration.ofSeconds(5));
            }
        });
        return metric;
    }

    /** The latest reading; starts a new one in the background when it is older than {@link #REFRESH}. */
    public List<GaugeSample> samples() {
        Instant at = readAt;
        if ((at == null || !clock.instant().isBefore(at.plus(REFRESH))) && reading.compareAndSet(false, true)) {
            try {
                background.execute(this::read);
            } catch (RuntimeException e) {
                reading.set(false);
                log.debug("lane lag: cannot start a reading: {}", e.toString());
            }
        }
        return samples;
    }

    /** Stops the readings and closes what {@link #start} opened. */
    @Override
    public void close() {
        for (AutoCloseable closeable : owned) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("lane lag: closing: {}", e.toString());
            }
        }
    }

    private void read() {
        try {
            Instant now = clock.instant();
            if (workers == null || !now.isBefore(workersAt.plus(REGISTRY_REFRESH))) {
                workers = registry.get();
                workersAt = now;
            }
            Map<Lane, LaneLag.LaneGroup> groups = new EnumMap<>(Lane.class);
            for (Lane lane : Lane.values()) {
                LaneGroups.live(lane, workers, now).ifPresent(group -> lastSeen.put(lane, group));
                groups.put(lane, lastSeen.getOrDefault(lane,
                        new LaneLag.LaneGroup(LaneGroups.defaultGroupId(kafka), false)));
            }
            samples = reader.apply(groups).stream().filter(lane -> lane.partitions() > 0)
                    .map(lane -> new GaugeSample(Map.of("lane", lane.lane().id(), "group", lane.group().groupId(),
                            "topic", lane.topic()), lane.lag()))
                    .toList();
            if (failing) {
                log.info("lane lag: Kafka can be read again");
                failing = false;
            }
        } catch (RuntimeException e) {
            samples = List.of();
            workers = null;
            if (!failing) {
                log.warn("lane lag: cannot read it ({}); {} has no samples until it can", e.getMessage(), NAME);
                failing = true;
            }
        } finally {
            readAt = clock.instant();
            reading.set(false);
        }
    }
}
