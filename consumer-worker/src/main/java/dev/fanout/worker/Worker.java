package dev.fanout.worker;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.TopicInitializer;
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
import dev.fanout.worker.internal.DeferralGate;
import dev.fanout.worker.internal.DeferredRecords;
import dev.fanout.worker.internal.RetryWaits;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
    /** How long the broker may hold a fetch that found nothing (Kafka's default is 500 ms). */
    static final int FETCH_MAX_WAIT_MS = 50;

    private final WorkerConfig config;
    private final PollLoop loop;
    private final Thread pollThread;
    private final ExecutorService executor;
    private final OutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Bulkhead bulkhead;
    private final LaneGate gate;
    private final ControlSignals signals;
    private final AdaptiveLimit adaptive;
    private final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Worker(WorkerConfig config, HandlerRegistry handlers, MetricRegistry registry, InstantSource clock,
            Consumer<Set<TopicPartition>> onAssignment) {
        this.config = config;
        Topics topics = config.kafka().topics();
        this.metrics = new WorkerMetrics(registry, config.workerId());
        this.bulkhead = Bulkhead.of(config.workerId(), bulkheadConfig(config.concurrency().initial()));
        this.gate = new LaneGate(config.concurrency().initial(), config.lanePolicy());
        this.adaptive = config.concurrency().adaptive() ? new AdaptiveLimit(config.concurrency(), this::resize) : null;
        this.publisher = new OutcomePublisher(config.kafka(), config.workerId());
        Map<String, Lane> lanes = new HashMap<>();
        config.lanes().forEach(lane -> lanes.put(topics.jobs(lane).name(), lane));
        this.signals = new ControlSignals(config.kafka(), config.workerId());
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
        this.loop = new PollLoop(consumer(config), lanes, config.lanePolicy().weighted(), deferredTopics,
                new DeferralGate(deferred, signals, clock), waits, scheduler::submit,
                config.maxBuffered(), config.commitInterval(), config.drainTimeout(), clock,
                (owned, lanePartitions) -> assignmentChanged(owned, lanePartitions, handlers, onAssignment));
        this.pollThread = Thread.ofPlatform().name("fanout-poll-" + config.workerId()).unstarted(loop);
        registry.gauge(metrics.name("in-flight"), () -> loop::unfinished);
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
        TopicInitializer.ensure(config.kafka(), config.kafka().topics().all());
        Worker worker = new Worker(config, handlers, registry, clock, onAssignment);
        try {
            worker.signals.start(SIGNALS_CATCH_UP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.signals.close();
            throw new IllegalStateException("interrupted while reading control signals", e);
        }
        worker.pollThread.start();
        log.info("worker {} started: group {}, lanes {}, maxConcurrency {}, ordering {}, handlers {}",
                config.workerId(), config.groupId(), config.lanes(), config.concurrency(), config.ordering().id(),
                handlers.names());
        return worker;
    }

    public WorkerConfig config() {
        return config;
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

    /** Records fetched whose outcome is not yet durable. */
    public int unfinished() {
        return loop.unfinished();
    }

    public boolean isRunning() {
        return !loop.stopped().isDone();
    }

    /** The error that stopped this worker, or {@code null} if it runs or stopped cleanly. */
    public Throwable failure() {
        return loop.failure();
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
        try {
            loop.stopped().get(config.drainTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("worker {} did not stop cleanly: {}", config.workerId(), e.toString());
        }
        executor.shutdownNow();
        publisher.close();
        signals.close();
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

    private static KafkaConsumer<String, byte[]> consumer(WorkerConfig config) {
        Map<String, Object> props = config.kafka().clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId());
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        // range splits each topic's partitions evenly among the workers, so the lanes (not just the total over lanes,
        // retry tiers and parking) spread across the group; the broker's default, uniform, balances only the total
        props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, config.maxBuffered()));
        // a fetch sent while the busy lanes are paused asks only for idle partitions (another lane, the retry tiers)
        // and the broker holds it until this wait ends; the next fetch cannot go before, so the buffer can run dry
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, config.drainTimeout().toMillis() * 2));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
