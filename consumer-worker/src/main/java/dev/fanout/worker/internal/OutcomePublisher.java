package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.Topics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.time.Duration;

/**
 * Publishes an item's terminal records (its result, and its dead letter when it failed) with an idempotent,
 * {@code acks=all} producer. The returned future completes only when the broker has acknowledged every record, and
 * only then may the job's offset be committed.
 */
public final class OutcomePublisher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;

    public OutcomePublisher(KafkaSettings kafka, String workerId) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, workerId + "-outcomes");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topics = kafka.topics();
    }

    /** Publishes a result. */
    public CompletableFuture<Void> publish(ItemResult result) {
        return send(resultRecord(result));
    }

    /** Publishes a dead letter and then, if there is one, the result; completes when both are acknowledged. */
    public CompletableFuture<Void> publish(ProducerRecord<String, byte[]> deadLetter, ItemResult resultOrNull) {
        CompletableFuture<Void> dead = send(deadLetter);
        return resultOrNull == null ? dead : CompletableFuture.allOf(dead, send(resultRecord(resultOrNull)));
    }

    /** Publishes any record (a retry or a parked item); completes when it is acknowledged. */
    public CompletableFuture<Void> publish(ProducerRecord<String, byte[]> record) {
        return send(record);
    }

    /** The producer's own metrics (send rate, errors, latency), for the worker's /metrics. */
    public Map<MetricName, ? extends Metric> kafkaMetrics() {
        return producer.metrics();
    }

    public Topics topics() {
        return topics;
    }

    private ProducerRecord<String, byte[]> resultRecord(ItemResult result) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topics.results().name(), result.batchId(), Envelopes.encode(result));
        ResultHeaders.put(record.headers(), result);
        return record;
    }

    private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                acknowledged.complete(null);
            } else {
                acknowledged.completeExceptionally(error);
            }
        });
        return acknowledged;
    }

    /** Flushes what is in flight, waiting at most 30 s. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
