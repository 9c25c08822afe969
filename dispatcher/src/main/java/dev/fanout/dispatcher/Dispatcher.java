package dev.fanout.dispatcher;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.dispatcher.internal.BatchRun;
import dev.fanout.dispatcher.internal.DispatchServices;
import dev.fanout.dispatcher.internal.ItemPlanner;
import dev.fanout.dispatcher.internal.LaneBacklog;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Topics;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes batches: registers the batch definition, streams the items to the batch's jobs lane (constant memory,
 * whatever the batch size) under the batch's window, pacing and queue bound, and seals the definition with the
 * final total. Idempotent producer, {@code acks=all}. Thread-safe; one instance can dispatch many batches at once.
 * It also pauses, resumes and cancels batches ({@link BatchSignals}, over the same producer).
 *
 * <pre>{@code
 * try (Dispatcher dispatcher = new Dispatcher(kafka, HandlerCatalog.load(), metrics, InstantSource.system())) {
 *     BatchHandle batch = dispatcher.dispatch(spec, JsonLinesItems.file(path));   // async: returns once registered
 *     DispatchResult sealed = dispatcher.publish(spec2, items2);                  // sync: returns once sealed
 * }
 * }</pre>
 */
public final class Dispatcher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaSettings kafka;
    private final HandlerResolver handlers;
    private final InstantSource clock;
    private final DispatchServices services;
    private final LaneBacklog backlog;
    private final BatchSignals signals;
    private final Set<BatchHandle> open = ConcurrentHashMap.newKeySet();
    private volatile boolean topicsReady;

    /** Checks handler names against the handler types of {@code catalog} (workers in this JVM). */
    public Dispatcher(KafkaSettings kafka, HandlerCatalog catalog, MetricRegistry metrics, InstantSource clock) {
        this(kafka, HandlerResolver.classpath(catalog), metrics, clock, Sleeper.system());
    }

    /** Checks handler names with {@code handlers}, e.g. {@link HandlerResolver#registry} (the live workers). */
    public Dispatcher(KafkaSettings kafka, HandlerResolver handlers, MetricRegistry metrics, InstantSource clock) {
        this(kafka, handlers, metrics, clock, Sleeper.system());
    }

    /** Checks handler names against the handler types of {@code catalog}, waiting with {@code sleeper}. */
    public Dispatcher(KafkaSettings kafka, HandlerCatalog catalog, MetricRegistry metrics, InstantSource clock,
            Sleeper sleeper) {
        this(kafka, HandlerResolver.classpath(catalog), metrics, clock, sleeper);
    }

    /**
     * @param handlers which handler names a batch may use
     * @param sleeper  how pacing and capacity waits wait (tests pass one that moves their clock)
     */
    public Dispatcher(KafkaSettings kafka, HandlerResolver handlers, MetricRegistry metrics, InstantSource clock,
            Sleeper sleeper) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.clock = Objects.requireNonNull(clock, "clock");
        Meter published = metrics.meter("dispatcher.items.published");
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "fanout-dispatcher");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.backlog = new LaneBacklog(kafka);
        this.services = new DispatchServices(producer, kafka, handlers, clock, Objects.requireNonNull(sleeper,
                "sleeper"), published, backlog);
        this.signals = new BatchSignals(kafka, producer, clock, BatchSignals.DEFAULT_TIMEOUT);
    }

    /** The producer's own metrics (send rates, errors, latency), for a {@code /metrics} endpoint. */
    public Map<MetricName, ? extends Metric> kafkaMetrics() {
        return producer.metrics();
    }

    /**
     * Checks every item against the batch before anything is published. For sources that can be read twice
     * (files, inline items) call this first; a stream (stdin) is checked as it is published.
     *
     * @throws ConfigException naming the first invalid item and field
     */
    public void validate(BatchSpec spec, ItemSource items) {
        validate(spec, items, InvalidItemPolicy.FAIL);
    }

    /**
     * Checks every item against the batch, as publishing with the same policy would.
     *
     * @return the valid items (the batch's total) and, with {@link InvalidItemPolicy#SKIP}, the rejected ones
     * @throws ConfigException with {@link InvalidItemPolicy#FAIL}, naming the first invalid item and field
     */
    public Validation validate(BatchSpec spec, ItemSource items, InvalidItemPolicy policy) {
        ItemPlanner planner = new ItemPlanner(spec.withIdAssigned(), handlers.namesFor(spec.priority()));
        RejectedItems rejected = RejectedItems.none();
        long index = 0;
        while (true) {
            try {
                DispatchItem item = items.next();
                if (item == null) {
                    return new Validation(index, rejected);
                }
                planner.check(index, item, items::position);
                index++;
            } catch (InvalidItemException e) {
                if (policy == InvalidItemPolicy.FAIL) {
                    throw e;
                }
                rejected = rejected.plus(e.position());
            }
        }
    }

    /** {@link #dispatch(BatchSpec, ItemSource, DispatchOptions)} with the default options. */
    public BatchHandle dispatch(BatchSpec spec, ItemSource items) {
        return dispatch(spec, items, DispatchOptions.ofDefaults());
    }

    /**
     * Registers the batch and starts publishing its items on a thread of their own; returns once the batch is
     * registered. The dispatch owns {@code items} and closes it when publishing ends.
     *
     * @throws DispatchRefusedException if the batch exists (and {@code options.resume()} is false), a resume does
     *                                  not match it, or its lane is full and {@code options.waitForCapacity()} is
     *                                  false; nothing is published then
     * @throws ConfigException          if the batch's handler is unknown
     * @throws DispatchException        if Kafka refused the registration
     */
    public BatchHandle dispatch(BatchSpec spec, ItemSource items, DispatchOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        BatchSpec batch = spec.withIdAssigned();
        new ItemPlanner(batch, handlers.namesFor(batch.priority())); // an unknown handler is refused before anything
        ensureTopics();
        BatchRun run = new BatchRun(services, batch, items, options, spec.batchId() != null);
        run.prepare();
        BatchHandle[] handle = new BatchHandle[1];
        handle[0] = new BatchHandle(run, signals, () -> open.remove(handle[0]));
        open.add(handle[0]);
        run.start();
        return handle[0];
    }

    /** {@link #publish(BatchSpec, ItemSource, DispatchOptions)} with the default options. */
    public DispatchResult publish(BatchSpec spec, ItemSource items) {
        return publish(spec, items, DispatchOptions.ofDefaults());
    }

    /**
     * Registers the batch, publishes every item and seals the batch, returning when it is sealed: a synchronous
     * {@link #dispatch}. It does not wait for the decision.
     *
     * @throws InvalidItemException     an invalid item met while streaming; what was published stays, unsealed
     * @throws DispatchRefusedException see {@link #dispatch(BatchSpec, ItemSource, DispatchOptions)}
     * @throws DispatchException        if Kafka refused a record
     */
    public DispatchResult publish(BatchSpec spec, ItemSource items, DispatchOptions options) {
        try (BatchHandle handle = dispatch(spec, items, options)) {
            return handle.awaitPublished();
        }
    }

    /**
     * Pauses a batch (this dispatcher's or any other): workers hold its items that have not started until it is
     * resumed or cancelled. See {@link BatchSignals#send}.
     */
    public SignalReceipt pause(String batchId, String reason) {
        return signals.pause(batchId, reason);
    }

    /** Resumes a paused batch. See {@link BatchSignals#send}. */
    public SignalReceipt resume(String batchId, String reason) {
        return signals.resume(batchId, reason);
    }

    /**
     * Cancels a batch: workers record its items that have not started {@code CANCELLED}. A dispatch still publishing
     * it goes on (its items are recorded cancelled too), so the batch still gets a decision.
     * See {@link BatchSignals#send}.
     */
    public SignalReceipt cancel(String batchId, String reason) {
        return signals.cancel(batchId, reason);
    }

    public Topics topics() {
        return kafka.topics();
    }

    private void ensureTopics() {
        if (!topicsReady) {
            TopicInitializer.ensure(kafka, kafka.topics().all());
            topicsReady = true;
        }
    }

    /** Stops the dispatches still running (their batches stay unsealed, resumable) and closes the producer. */
    @Override
    public void close() {
        for (BatchHandle handle : open) {
            handle.close();
        }
        backlog.close();
        producer.close();
    }
}
