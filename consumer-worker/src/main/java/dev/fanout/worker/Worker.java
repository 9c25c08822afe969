package dev.fanout.worker;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.LaneGroups;
import dev.fanout.config.TopicInitializer;
import dev.fanout.ops.Check;
import dev.fanout.ops.ErrorReference;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.WorkerStatus;
import dev.fanout.worker.internal.Heartbeat;
import dev.fanout.worker.internal.SlotUsage;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import dev.fanout.worker.internal.AdaptiveLimit;
import dev.fanout.worker.internal.ControlSignals;
import dev.fanout.worker.internal.GroupRateLimiter;
import dev.fanout.worker.internal.ItemRunner;
import dev.fanout.worker.internal.LaneGate;
import dev.fanout.worker.internal.LanePartitions;
import dev.fanout.worker.internal.OrderedScheduler;
import dev.fanout.worker.internal.OutcomePublisher;
import dev.fanout.worker.internal.PollLoop;
import dev.fanout.worker.internal.RecordWatch;
import dev.fanout.worker.internal.DeferralGate;
import dev.fanout.worker.internal.DeferredRecords;
import dev.fanout.worker.internal.RetryWaits;
import dev.fanout.worker.internal.ShareGroupSetup;
import dev.fanout.worker.internal.ShareLoop;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ExecutionException;

/**
 * A consumer-group member that runs items from the jobs lanes concurrently on virtual threads, within a bulkhead
 * of {@code maxConcurrency}, keeping the configured order, and publishes one result per item (plus a dead letter on
 * failure). Offsets are committed only once an item's terminal records are acknowledged by the broker.
 *
 * <pre>{@code
 * try (Worker worker = Worker.start(WorkerConfig.of(kafka), HandlerCatalog.load(), new MetricRegistry(),
 *         InstantSource.system(), null)) {
 *     ...
 * }
 * }</pre>
 */
public final class Worker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final Duration SIGNALS_CATCH_UP = Duration.ofSeconds(30);
    private static final int SIGNALS_GRACE_SECONDS = 30;
    private static final String VERSION = Objects.requireNonNullElse(
            Worker.class.getPackage().getImplementationVersion(), "development");
    private static final String HOST = host();
    public static final String SHARE_GROUP_SUFFIX = LaneGroups.SHARE_GROUP_SUFFIX;

    private final WorkerConfig config;
    private final PollLoop loop;
    private final Thread pollThread;
    /** The share-group loop of the lanes on a share group, or {@code null} when every lane is on the consumer group. */
    private final ShareLoop shareLoop;
    private final Thread shareThread;
    private final ExecutorService executor;
    private final OutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Bulkhead bulkhead;
    private final LaneGate gate;
    private final ControlSignals signals;
    private final AdaptiveLimit adaptive;
    private final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
    private final HandlerRegistry handlers;
    private final InstantSource clock;
    private final Instant startedAt;
    private final Heartbeat heartbeat;
    private final ServiceMetrics serviceMetrics;
    private ServiceEndpoints endpoints;
    private SlotUsage.Reading lastReading;
    private volatile boolean assigned;
    private volatile boolean closed;

    private Worker(WorkerConfig config, HandlerRegistry handlers, MetricRegistry registry, InstantSource clock,
            Consumer<Set<TopicPartition>> onAssignment, int deliveryLimit) {
        this.config = config;
        this.handlers = handlers;
        this.clock = clock;
        this.startedAt = clock.instant();
        Topics topics = config.kafka().topics();
        this.metrics = new WorkerMetrics(registry, config.workerId());
        this.bulkhead = Bulkhead.of(config.workerId(), bulkheadConfig(config.concurrency().initial()));
        this.gate = new LaneGate(config.concurrency().initial(), config.lanePolicy());
        this.adaptive = config.concurrency().adaptive() ? new AdaptiveLimit(config.concurrency(), this::resize) : null;
        this.publisher = new OutcomePublisher(config.kafka(), config.workerId());
        Map<String, Lane> lanes = new HashMap<>();
        config.lanes().forEach(lane -> lanes.put(topics.jobs(lane).name(), lane));
        Map<String, Lane> consumerLanes = new HashMap<>();
        config.consumerLanes().forEach(lane -> consumerLanes.put(topics.jobs(lane).name(), lane));
        this.signals = new ControlSignals(config.kafka(), config.workerId(), clock);
        DeferredRecords deferred = new DeferredRecords(topics, clock, config.groupId());
        RetryWaits waits = new RetryWaits(clock);
        ItemRunner runner = new ItemRunner(handlers, bulkhead, gate, topic -> lanes.getOrDefault(topic, Lane.NORMAL),
                adaptive, signals, publisher, deferred, waits, metrics, clock, config.workerId(),
                config.maxRecordBytes(), () -> closed);
        List<String> deferredTopics = new ArrayList<>();
        topics.retryTiers().values().forEach(tier -> deferredTopics.add(tier.name()));
        deferredTopics.add(topics.parked().name());
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fanout-item-", 0).factory());
        OrderedScheduler scheduler = new OrderedScheduler(config.ordering(), executor,
                tracked -> runner.run(tracked).whenComplete(tracked::complete));
        KafkaConsumer<String, byte[]> consumer = WorkerClients.consumer(config);
        ServiceMetrics served = ServiceMetrics.of(registry).withKafkaClient("consumer", consumer::metrics)
                .withKafkaClient("producer", publisher::kafkaMetrics);
        if (config.shareLanes().isEmpty()) {
            this.shareLoop = null;
            this.shareThread = null;
        } else {
            KafkaShareConsumer<String, byte[]> shareConsumer = WorkerClients.shareConsumer(config);
            served = served.withKafkaClient("share-consumer", shareConsumer::metrics);
            this.shareLoop = new ShareLoop(shareConsumer, config.shareLanes().stream()
                    .map(lane -> topics.jobs(lane).name()).sorted().toList(), scheduler::submit, waits, deliveryLimit,
                    config.drainTimeout());
            this.shareThread = Thread.ofPlatform().name("fanout-share-" + config.workerId()).unstarted(shareLoop);
        }
        this.serviceMetrics = served;
        this.loop = new PollLoop(consumer, consumerLanes, config.lanePolicy().weighted(), deferredTopics,
                new DeferralGate(deferred, signals, clock), waits, scheduler::submit,
                config.maxBuffered(), config.commitInterval(), config.drainTimeout(), clock,
                (owned, lanePartitions) -> assignmentChanged(owned, lanePartitions, handlers, onAssignment),
                new RecordWatch(config.kafka(), config.workerId()));
        this.pollThread = Thread.ofPlatform().name("fanout-poll-" + config.workerId()).unstarted(loop);
        this.lastReading = metrics.slots().read();
        this.heartbeat = new Heartbeat(config.kafka(), config.workerId(), config.heartbeatInterval(), this::status);
        registry.gauge(metrics.name("in-flight"), () -> this::unfinished);
        registry.gauge(metrics.name("slots.running"), () -> metrics.slots()::running);
        registry.gauge(metrics.name("slots.busy-seconds"), () -> () -> metrics.slots().read().busyNanos() / 1e9);
        registry.gauge(metrics.name("concurrency.limit"),
                () -> () -> bulkhead.getMetrics().getMaxAllowedConcurrentCalls());
    }

    /**
     * Creates the topics if missing, builds the handlers, joins the group and starts polling.
     *
     * @param catalog      the handler types (usually {@link HandlerCatalog#load()})
     * @param onAssignment told of this worker's partitions each time they change (may be {@code null})
     * @throws dev.fanout.config.ConfigException for a handler or limit the configuration gets wrong, or an
     *                                           unreachable cluster, before anything is consumed
     */
    public static Worker start(WorkerConfig config, HandlerCatalog catalog, MetricRegistry registry,
            InstantSource clock, Consumer<Set<TopicPartition>> onAssignment) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        HandlerRegistry handlers = HandlerRegistry.create(catalog, config, clock);
        Thread.ofVirtual().name("fanout-codec-warm-up").start(() -> Envelopes.prepare(JobRecord.class,
                ItemResult.class, ControlSignal.class, WorkerStatus.class));
        TopicInitializer.ensure(config.kafka(), config.kafka().topics().all());
        int deliveryLimit = config.shareLanes().isEmpty() ? ShareGroupSetup.DEFAULT_DELIVERY_LIMIT
                : ShareGroupSetup.prepare(config.kafka(), shareGroupId(config));
        Worker worker = new Worker(config, handlers, registry, clock, onAssignment, deliveryLimit);
        try {
            worker.signals.start(SIGNALS_CATCH_UP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.signals.close();
            throw new IllegalStateException("interrupted while reading control signals", e);
        }
        if (config.httpPort() != ServiceEndpoints.DISABLED) {
            try {
                worker.endpoints = ServiceEndpoints.start(config.httpHost(), config.httpPort(), worker::liveness,
                        worker::readiness, worker.serviceMetrics);
            } catch (RuntimeException e) {
                worker.signals.close();
                throw new ConfigException("worker." + WorkerConfig.HTTP_PORT + ": " + e.getMessage(), e);
            }
        }
        worker.pollThread.start();
        if (worker.shareLoop != null) {
            worker.shareLoop.stopped().thenRun(() -> {
                if (worker.shareLoop.failure() != null) {
                    worker.loop.stop(); // the whole worker stops, so its supervisor sees it and starts another
                }
            });
            worker.shareThread.start();
        }
        worker.heartbeat.start();
        log.info("worker {} started: group {}, lanes {}{}, maxConcurrency {}, ordering {}, handlers {}",
                config.workerId(), config.groupId(), config.lanes(), config.shareLanes().isEmpty() ? ""
                        : " (on share group " + shareGroupId(config) + ": " + config.shareLanes() + ")",
                config.concurrency(), config.ordering().id(), handlers.names());
        return worker;
    }

    public WorkerConfig config() {
        return config;
    }

    /** The handler names jobs can use on this worker, sorted. */
    public Set<String> handlerNames() {
        return handlers.names();
    }

    /** Where the health endpoints answer ({@code http://127.0.0.1:PORT}), if they are on. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoints).map(ServiceEndpoints::url);
    }

    /**
     * Alive: the poll loop runs, and control signals are followed (a follower failing for longer than
     * {@value #SIGNALS_GRACE_SECONDS} s makes the worker unhealthy).
     */
    public Check liveness() {
        Throwable failure = loop.failure();
        if (failure != null) {
            // served on /healthz: what it died of stays in the log, under the reference
            return Check.failing(ErrorReference.describe(log, "the poll loop stopped", failure));
        }
        if (shareLoop != null && shareLoop.failure() != null) {
            return Check.failing("the share-group loop stopped: " + shareLoop.failure());
        }
        if (loop.stopped().isDone() && !closed) {
            return Check.failing("the poll loop stopped");
        }
        return signals.health(Duration.ofSeconds(SIGNALS_GRACE_SECONDS));
    }

    /** Ready: every control signal published before the start has been read, and the group has assigned it. */
    public Check readiness() {
        if (closed) {
            return Check.failing("stopping");
        }
        if (!signals.caughtUp()) {
            return Check.failing("reading the control signals in force");
        }
        return assigned ? Check.ok() : Check.failing("waiting for the group " + config.groupId()
                + " to assign partitions");
    }

    /** This worker's registry entry as of now (called by the heartbeat thread only). */
    private WorkerStatus status() {
        SlotUsage.Reading reading = metrics.slots().read();
        int limit = concurrencyLimit();
        double utilisation = reading.utilisationSince(lastReading, limit);
        lastReading = reading;
        Check health = liveness();
        return new WorkerStatus(Envelopes.SCHEMA_VERSION, config.workerId(), config.groupId(), HOST,
                ProcessHandle.current().pid(), VERSION,
                handlers.entries().stream().map(entry -> new WorkerStatus.Handler(entry.name(), entry.type())).toList(),
                config.lanes(), assignment.stream().map(TopicPartition::toString).sorted().toList(),
                limit, unfinished(), metrics.slots().running(), utilisation, health.passing(),
                health.passing() ? null : health.reason(), endpoint().map(URI::toString).orElse(null), startedAt,
                clock.instant(), config.heartbeatInterval(),
                config.lanes().stream().filter(config.shareLanes()::contains).toList());
    }

    /** How many times the poll loop has slept for want of work (it then fetches nothing until a record comes). */
    public long idleSleeps() {
        return loop.sleeps();
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The partitions this worker owns right now. */
    public Set<TopicPartition> assignment() {
        return Set.copyOf(assignment);
    }

    /** Records skipped since start because a previous owner had recorded their outcome (from commit metadata). */
    public long skippedAsFinished() {
        return loop.skipped();
    }

    /** Records fetched (or acquired, on a share group) whose outcome is not yet durable. */
    public int unfinished() {
        return loop.unfinished() + (shareLoop == null ? 0 : shareLoop.unfinished());
    }

    /**
     * The share group of the worker group's lanes on a share group: {@code <groupId>-share} (a group id names either
     * a consumer group or a share group, never both).
     */
    public static String shareGroupId(WorkerConfig config) {
        return config.groupId() + SHARE_GROUP_SUFFIX;
    }

    public boolean isRunning() {
        return !loop.stopped().isDone();
    }

    /** The error that stopped this worker, or {@code null} if it runs or stopped cleanly. */
    public Throwable failure() {
        Throwable failure = loop.failure();
        return failure == null && shareLoop != null ? shareLoop.failure() : failure;
    }

    /**
     * Waits until the worker stops by itself (after a fatal error) or is closed.
     *
     * @throws TimeoutException if it is still running after the timeout
     */
    public void awaitStopped(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            loop.stopped().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Stops fetching, waits up to {@code drainTimeout} for in-flight items, commits what is durable and leaves the
     * group. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
        if (shareLoop != null) {
            shareLoop.stop();
        }
        try {
            loop.stopped().get(config.drainTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
            if (shareLoop != null) {
                shareLoop.stopped().get(config.drainTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("worker {} did not stop cleanly: {}", config.workerId(), e.toString());
        }
        executor.shutdownNow();
        heartbeat.close();
        publisher.close();
        signals.close();
        if (endpoints != null) {
            endpoints.close();
        }
        serviceMetrics.close();
        log.info("worker {} stopped", config.workerId());
    }

    private void assignmentChanged(Set<TopicPartition> owned, LanePartitions lanes, HandlerRegistry handlers,
            Consumer<Set<TopicPartition>> listener) {
        assignment.clear();
        assignment.addAll(owned);
        Set<Integer> indexes = lanes.indexesOf(owned);
        for (GroupRateLimiter limiter : handlers.rateLimiters()) {
            if (limiter.rebalance(indexes, lanes.total()) == 0 && !owned.isEmpty()) {
                log.warn("worker {}: its share of rate limiter {} ({} per {}) is 0 with {} of {} lane partitions; "
                        + "its items for handlers using it wait until a rebalance gives it a share (a limit of at "
                        + "least the number of lane partitions gives every partition one)", config.workerId(),
                        limiter.name(), limiter.spec().limit(), limiter.spec().period(), owned.size(), lanes.total());
            }
        }
        if (listener != null) {
            listener.accept(Set.copyOf(owned));
        }
        assigned = true; // after the listener: whoever sees the worker ready also sees what it was told
    }

    /** The current limit of the worker-wide bulkhead (changes under {@code maxConcurrency: auto}). */
    public int concurrencyLimit() {
        return bulkhead.getMetrics().getMaxAllowedConcurrentCalls();
    }

    private void resize(int limit) {
        bulkhead.changeConfig(bulkheadConfig(limit));
        gate.resize(limit);
        log.debug("worker {}: adaptive concurrency now {}", config.workerId(), limit);
    }

    private static BulkheadConfig bulkheadConfig(int limit) {
        // not fair: the lane gate in front already decides who goes next, so fairness here would only add hand-offs
        return BulkheadConfig.custom().maxConcurrentCalls(limit).maxWaitDuration(Duration.ofDays(365))
                .fairCallHandlingStrategyEnabled(false).build();
    }

    private static String host() {
        String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        return runtime.contains("@") ? runtime.substring(runtime.indexOf('@') + 1) : "localhost";
    }
}
