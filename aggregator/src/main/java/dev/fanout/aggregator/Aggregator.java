package dev.fanout.aggregator;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.aggregator.dashboard.WorkerList;
import dev.fanout.aggregator.internal.AdminChainTopics;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.aggregator.internal.JobReader;
import dev.fanout.aggregator.internal.LaneLagMetric;
import dev.fanout.aggregator.internal.LiveTimelines;
import dev.fanout.aggregator.internal.BoundedThreadReplacement;
import dev.fanout.aggregator.internal.RestoreLog;
import dev.fanout.aggregator.internal.ResultsServer;
import dev.fanout.aggregator.internal.StreamsHealthProbe;
import dev.fanout.aggregator.internal.StreamsStoreLocator;
import dev.fanout.config.ConfigException;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator service: a Kafka Streams application running {@link AggregatorTopology} with exactly-once
 * processing, and the HTTP results API on its stores ({@link #resultsApi()}) with {@code /healthz} and
 * {@code /readyz}. Start it with {@link #start}, wait for it with {@link #awaitRunning}, stop it with {@link #close}.
 * If Kafka Streams stops by itself (its stream threads died, {@link #MAX_THREAD_REPLACEMENTS} replacements included),
 * {@link #isRunning()} turns false, {@link #failure()} says why and {@link #awaitStopped} returns: a process should
 * then exit non-zero. Instances with the same application id share the batches; each serves the API and forwards a
 * request to the instance that owns the batch. What the stores restored from their changelogs is logged at INFO and
 * counted in {@link AggregatorMetrics#RESTORED_RECORDS}.
 *
 * <pre>{@code
 * MetricRegistry registry = new MetricRegistry();
 * try (Aggregator aggregator = Aggregator.start(AggregatorConfig.of(KafkaSettings.of("localhost:9092")), registry)) {
 *     aggregator.awaitRunning(Duration.ofSeconds(60));
 *     ... registry.counter(AggregatorMetrics.BATCHES_DECIDED).getCount() ...
 * }
 * }</pre>
 */
public final class Aggregator implements AutoCloseable {

    /** Stream threads that die of an unexpected exception are replaced this many times, then the client stops. */
    public static final int MAX_THREAD_REPLACEMENTS = 3;
    /** How long {@link #close()} waits for Kafka Streams to stop. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(Aggregator.class);

    private final KafkaStreams streams;
    private final Topics topics;
    private final Path temporaryStateDir;
    private final ResultsServer server;
    private final URI resultsApi;
    private final AdminChainTopics chainTopics;
    private final BoundedThreadReplacement threads = new BoundedThreadReplacement(MAX_THREAD_REPLACEMENTS);
    private final StreamsHealthProbe health;
    private final RestoreLog restoreLog;
    private volatile LaneLagMetric laneLag;
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable failure;

    private Aggregator(KafkaStreams streams, Topics topics, Path temporaryStateDir, ResultsServer server,
            URI resultsApi, AdminChainTopics chainTopics, RestoreLog restoreLog) {
        this.streams = streams;
        this.topics = topics;
        this.temporaryStateDir = temporaryStateDir;
        this.server = server;
        this.resultsApi = resultsApi;
        this.chainTopics = chainTopics;
        this.restoreLog = restoreLog;
        this.health = new StreamsHealthProbe(streams, topics.results().name(), threads);
    }

    /** Starts an aggregator on the system clock. */
    public static Aggregator start(AggregatorConfig config, MetricRegistry registry) {
        return start(config, registry, Time.SYSTEM);
    }

    /** Starts an aggregator on the system clock, with its dashboard's actions as {@code dashboard} says. */
    public static Aggregator start(AggregatorConfig config, MetricRegistry registry, DashboardSettings dashboard) {
        return start(config, registry, Time.SYSTEM, dashboard);
    }

    /** Starts an aggregator with a read-only dashboard. */
    public static Aggregator start(AggregatorConfig config, MetricRegistry registry, Time time) {
        return start(config, registry, time, DashboardSettings.readOnly());
    }

    /**
     * Creates the topics that are missing, then starts Kafka Streams. Returns once the client is started, not yet
     * running: see {@link #awaitRunning}.
     *
     * @param registry where the {@link AggregatorMetrics} are registered
     * @param time     the Streams client's clock: wall-clock punctuation (total timeouts) and {@code decidedAt}
     * @param dashboard whether the dashboard at {@code /} of the HTTP port offers actions, and their token
     * @throws ConfigException if Kafka cannot be reached, the topics cannot be created, or the state directory
     *                         cannot be created
     * @throws java.io.UncheckedIOException if the results API cannot listen on its host at all
     */
    public static Aggregator start(AggregatorConfig config, MetricRegistry registry, Time time,
            DashboardSettings dashboard) {
        Objects.requireNonNull(dashboard, "dashboard");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(time, "time");
        Topics topics = config.kafka().topics();
        Thread.ofVirtual().name("fanout-codec-warm-up").start(() -> Envelopes.prepare(ItemResult.class,
                BatchDefinition.class, BatchResult.class, BatchState.class, ItemOutcome.class, ControlSignal.class));
        TopicInitializer.ensure(config.kafka(), topics.all());
        Path temporaryStateDir = config.stateDir() == null ? createTemporaryStateDir() : null;
        Path stateDir = config.stateDir() == null ? temporaryStateDir : createStateDir(config.stateDir());
        ResultsServer server = null;
        AdminChainTopics chainTopics = null;
        KafkaStreams streams = null;
        try {
            HostInfo self = null;
            if (config.httpEnabled()) {
                server = ResultsServer.bind(config.httpHost(), config.httpPort(), true);
                self = new HostInfo(config.httpHost(), server.port());
            }
            chainTopics = new AdminChainTopics(config.kafka().clientProperties());
            LiveTimelines timelines = LiveTimelines.of(LiveTimelines.DEFAULT_CAPACITY);
            streams = new KafkaStreams(AggregatorTopology.build(config, registry, chainTopics, timelines),
                    streamsProperties(config, stateDir, self), time);
            URI api = self == null ? null : URI.create("http://" + self.host() + ":" + self.port());
            RestoreLog restoreLog = new RestoreLog(AggregatorMetrics.of(registry).restoredRecords());
            Aggregator aggregator = new Aggregator(streams, topics, temporaryStateDir, server, api, chainTopics,
                    restoreLog);
            streams.setStateListener(aggregator::onStateChange);
            streams.setUncaughtExceptionHandler(aggregator.threads);
            streams.setGlobalStateRestoreListener(restoreLog);
            streams.start();
            if (server != null) {
                KafkaStreams running = streams;
                InstantSource clock = () -> Instant.ofEpochMilli(time.milliseconds());
                LaneLagMetric laneLag = LaneLagMetric.start(config.kafka(), clock);
                aggregator.laneLag = laneLag;
                server.start(new StreamsStoreLocator(streams, self, timelines), topics.prefix(), aggregator.health,
                        ServiceMetrics.of(registry).withKafkaClient("consumer", running::metrics)
                                .withGauge(LaneLagMetric.NAME, LaneLagMetric.HELP, laneLag::samples),
                        new JobReader(config.kafka().clientProperties(), topics.prefix()), dashboard,
                        () -> WorkerList.json(config.kafka(), clock));
            }
            log.info("aggregator {} started: reading {} and {}, state in {}{}, results API {}",
                    config.applicationId(), topics.batches(), topics.results(),
                    stateDir.resolve(config.applicationId()), temporaryStateDir == null ? "" : " (temporary)",
                    api == null ? "off" : "on " + api + " (health: /healthz, /readyz; metrics: /metrics)");
            return aggregator;
        } catch (RuntimeException e) {
            if (streams != null) {
                streams.close(CLOSE_TIMEOUT);
            }
            if (server != null) {
                server.close();
            }
            if (chainTopics != null) {
                chainTopics.close();
            }
            deleteRecursively(temporaryStateDir);
            throw e;
        }
    }

    /**
     * Waits until Kafka Streams is running for the first time (partitions assigned, state restored).
     *
     * @throws IllegalStateException if it is not running within the timeout, or stopped before it ran
     */
    public void awaitRunning(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the aggregator is not running after " + timeout + " (Kafka Streams state "
                    + streams.state() + ")", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the aggregator to run", e);
        }
    }

    /** The Kafka Streams client's state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Whether Kafka Streams is still running (or rebalancing): it has not stopped by itself nor been closed. */
    public boolean isRunning() {
        return !stopped.isDone();
    }

    /** Why Kafka Streams stopped by itself (its stream threads died); empty while it runs or after {@link #close}. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Waits until Kafka Streams stops by itself ({@link #failure()} says why) or the aggregator is closed.
     *
     * @throws TimeoutException if it still runs after the timeout
     */
    public void awaitStopped(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        try {
            stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Records restored into the stores from their changelogs since start (none when the state was up to date). */
    public long restoredRecords() {
        return restoreLog.total();
    }

    /** Where this instance serves the results API, e.g. {@code http://127.0.0.1:7070}; empty when it is off. */
    public Optional<URI> resultsApi() {
        return Optional.ofNullable(resultsApi);
    }

    /**
     * The partitions of the results topic (and so the batches) this instance owns now, as an active task; empty
     * while it is not running.
     */
    public Set<Integer> assignedPartitions() {
        return streams.state() != KafkaStreams.State.RUNNING ? new TreeSet<>() : health.activePartitions();
    }

    /** The topics this aggregator reads and writes. */
    public Topics topics() {
        return topics;
    }

    /**
     * Stops serving the results API, then Kafka Streams (waiting up to {@link #CLOSE_TIMEOUT}), leaving the group so
     * that the other instances take this one's batches over at once; deletes a temporary state directory. Idempotent.
     */
    @Override
    public void close() {
        stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }

    /**
     * Stops like a crashed instance as far as the group can tell: without leaving it, so the other instances take
     * over only when this member's session times out (for tests of takeover).
     */
    void closeWithoutLeavingTheGroup() {
        stop(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    }

    private void stop(CloseOptions.GroupMembershipOperation membership) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (server != null) {
            server.close();
        }
        if (!streams.close(CloseOptions.groupMembershipOperation(membership).withTimeout(CLOSE_TIMEOUT))) {
            log.warn("the aggregator's Kafka Streams did not stop within {}", CLOSE_TIMEOUT);
        }
        chainTopics.close();
        if (laneLag != null) {
            laneLag.close();
        }
        running.completeExceptionally(new IllegalStateException("the aggregator was closed"));
        stopped.complete(null);
        deleteRecursively(temporaryStateDir);
    }

    private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        log.debug("aggregator Kafka Streams state {} -> {}", oldState, newState);
        if (newState == KafkaStreams.State.RUNNING) {
            running.complete(null);
            log.info("aggregator running with partitions {} of {}; {}", health.activePartitions(), topics.results(),
                    restoreLog.summary());
        } else if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING
                || newState == KafkaStreams.State.PENDING_ERROR) {
            IllegalStateException stop = new IllegalStateException("the aggregator stopped (Kafka Streams state "
                    + newState + ")" + health.failure().map(why -> ": " + why).orElse(""),
                    threads.lastFailure().orElse(null));
            running.completeExceptionally(stop);
            if (!closed.get() && failure == null) {
                failure = stop;
                log.error("{}; it does not process results any more", stop.getMessage());
            }
            if (newState != KafkaStreams.State.PENDING_ERROR) {
                stopped.complete(null);
            }
        }
    }

    static Properties streamsProperties(AggregatorConfig config, Path stateDir) {
        return streamsProperties(config, stateDir, null);
    }

    /** @param self the results API's address, advertised as {@code application.server}; {@code null} when off */
    static Properties streamsProperties(AggregatorConfig config, Path stateDir, HostInfo self) {
        Properties properties = new Properties();
        properties.putAll(config.kafka().clientProperties());
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        if (self != null) {
            properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        }
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.kafka().replicationFactor());
        if (config.kafka().minInsyncReplicas() != null) { // its changelogs, as the topics Fanout creates
            properties.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                    config.kafka().minInsyncReplicas());
        }
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class);
        // No global stores here; opting in now silences a start-up warning and is the Kafka 5.0 default.
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return properties;
    }

    private static Path createStateDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException | UnsupportedOperationException e) {
            throw AggregatorConfig.invalid(AggregatorConfig.STATE_DIR, ": cannot create the state directory " + dir
                    + " (" + e + "); pass a writable " + AggregatorConfig.flag(AggregatorConfig.STATE_DIR) + " or set "
                    + AggregatorConfig.FANOUT_HOME);
        }
    }

    private static Path createTemporaryStateDir() {
        try {
            return Files.createTempDirectory("fanout-aggregator-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state directory for the aggregator", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete the aggregator's temporary state directory {}", dir, e);
        }
    }
}
