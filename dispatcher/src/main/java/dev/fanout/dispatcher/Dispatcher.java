package dev.fanout.dispatcher;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes batches: registers the batch definition, streams the items to the batch's jobs lane (constant memory,
 * whatever the batch size) and seals the definition with the final total. Idempotent producer, {@code acks=all}.
 * Thread-safe; one instance can dispatch many batches.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaSettings kafka;
    private final Topics topics;
    private final HandlerCatalog catalog;
    private final InstantSource clock;
    private final Meter published;
    private volatile boolean topicsReady;

    public Dispatcher(KafkaSettings kafka, HandlerCatalog catalog, MetricRegistry metrics, InstantSource clock) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.topics = kafka.topics();
        this.published = metrics.meter("dispatcher.items.published");
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "fanout-dispatcher");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Checks every item against the batch before anything is published. For sources that can be read twice
     * (files, inline items) call this first; a stream (stdin) is checked as it is published.
     *
     * @throws ConfigException naming the first invalid item and field
     */
    public void validate(BatchSpec spec, ItemSource items) {
        ItemPlanner planner = new ItemPlanner(spec.withIdAssigned(), catalog);
        Instant now = clock.instant();
        long index = 0;
        for (DispatchItem item = items.next(); item != null; item = items.next()) {
            planner.plan(index++, item, null, now);
        }
    }

    /**
     * Registers the batch, publishes every item and seals the batch.
     *
     * @throws ConfigException for an invalid item met while streaming; what was published stays, unsealed
     * @throws DispatchException if Kafka refused a record
     */
    public DispatchResult dispatch(BatchSpec spec, ItemSource items) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(items, "items");
        BatchSpec batch = spec.withIdAssigned();
        ensureTopics();
        ItemPlanner planner = new ItemPlanner(batch, catalog);
        OptionalLong size = items.size();
        Instant started = clock.instant();
        String topic = topics.jobs(batch.priority()).name();
        BatchDefinition definition = new BatchDefinition(Envelopes.SCHEMA_VERSION, batch.batchId(), batch.handler(),
                size.isPresent() ? size.getAsLong() : null, false, batch.policy(), batch.priority(), started);
        await(send(topics.batches().name(), batch.batchId(), Envelopes.encode(definition)));

        AtomicReference<Exception> sendError = new AtomicReference<>();
        Long total = size.isPresent() ? size.getAsLong() : null;
        long index = 0;
        for (DispatchItem item = items.next(); item != null; item = items.next()) {
            if (sendError.get() != null) {
                break;
            }
            ItemPlanner.Planned planned = planner.plan(index++, item, total, clock.instant());
            ProducerRecord<String, byte[]> record =
                    new ProducerRecord<>(topic, planned.key(), Envelopes.encode(planned.job()));
            FanoutHeaders.putIdentity(record.headers(), planned.job());
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    sendError.compareAndSet(null, error);
                } else {
                    published.mark();
                }
            });
        }
        producer.flush();
        if (sendError.get() != null) {
            throw new DispatchException("publishing items of batch " + batch.batchId() + " failed: "
                    + sendError.get().getMessage() + "; re-run with the same batchId after fixing the cause",
                    sendError.get());
        }
        if (total != null && index != total) {
            throw new IllegalStateException("the source announced " + total + " items but gave " + index);
        }
        await(send(topics.batches().name(), batch.batchId(), Envelopes.encode(definition.seal(index))));
        Duration took = Duration.between(started, clock.instant());
        log.info("batch {}: {} items published to {} in {} ms", batch.batchId(), index, topic, took.toMillis());
        return new DispatchResult(batch.batchId(), index, batch.priority(), topic, took);
    }

    public Topics topics() {
        return topics;
    }

    private void ensureTopics() {
        if (!topicsReady) {
            TopicInitializer.ensure(kafka, topics.all());
            topicsReady = true;
        }
    }

    private java.util.concurrent.Future<?> send(String topic, String key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    private static void await(java.util.concurrent.Future<?> ack) {
        try {
            ack.get();
        } catch (ExecutionException e) {
            throw new DispatchException("Kafka refused a record: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while publishing", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
