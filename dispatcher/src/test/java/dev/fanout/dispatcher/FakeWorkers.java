package dev.fanout.dispatcher;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.internal.LaneBacklog;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.protocol.ResultHeaders;
import dev.fanout.protocol.Strategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the worker group and the aggregator in dispatcher tests: reads a lane as a member of the worker group
 * ({@code <prefix>workers}), commits, and writes item results and batch decisions, when and as the test says.
 */
final class FakeWorkers implements AutoCloseable {

    private final KafkaSettings settings;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;

    FakeWorkers(KafkaSettings settings, Lane lane) {
        this.settings = settings;
        Map<String, Object> consumerProps = settings.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, LaneBacklog.workerGroup(settings));
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(settings.topics().jobs(lane).name()));
        Map<String, Object> producerProps = settings.clientProperties();
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    /** The jobs one poll returns. */
    List<JobRecord> poll() {
        List<JobRecord> jobs = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            try {
                jobs.add(Envelopes.decode(record.value(), JobRecord.class));
            } catch (PoisonRecordException notAJob) {
                // another producer's record on the lane (a test's filler): a worker would dead-letter it
            }
        }
        return jobs;
    }

    /** Commits what was polled: the lane's backlog drops by it. */
    void commit() {
        consumer.commitSync();
    }

    void succeed(JobRecord job) {
        result(settings, producer, job.batchId(), job.index(), ItemStatus.SUCCEEDED);
    }

    /** Writes a result for an item, as a worker would. */
    static void result(KafkaSettings settings, KafkaProducer<String, byte[]> producer, String batchId, long index,
            ItemStatus status) {
        Instant now = Instant.now();
        boolean ok = status.isSuccess();
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, batchId, Long.toString(index), index, status,
                ok ? null : FailureReason.HANDLER_ERROR, ok ? null : new ItemError("Boom", "failed on purpose"), null,
                1, now, now, 0, "fake-worker", !ok, "trace-" + batchId + "-" + index);
        send(producer, settings.topics().results().name(), batchId, Envelopes.encode(result));
    }

    /** Writes a result for an item as this version's workers do: with its {@link ResultHeaders}. */
    void resultWithHeaders(String batchId, long index, ItemStatus status) {
        Instant now = Instant.now();
        boolean ok = status.isSuccess();
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, batchId, Long.toString(index), index, status,
                ok ? null : FailureReason.HANDLER_ERROR, ok ? null : new ItemError("Boom", "failed on purpose"), null,
                1, now, now, 0, "fake-worker", !ok, "trace-" + batchId + "-" + index);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.topics().results().name(), batchId,
                Envelopes.encode(result));
        ResultHeaders.put(record.headers(), result);
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not write a result", e);
        }
    }

    /** Writes results for items {@code from} (inclusive) to {@code to} (exclusive). */
    void results(String batchId, long from, long to, ItemStatus status) {
        for (long index = from; index < to; index++) {
            result(settings, producer, batchId, index, status);
        }
    }

    /** Writes a decision for the batch, as the aggregator would. */
    void decide(String batchId, BatchStatus status, Strategy strategy) {
        Instant now = Instant.now();
        BatchResult decision = new BatchResult(Envelopes.SCHEMA_VERSION, batchId, status, 1, strategy, 0, 0, 1, 0, 0,
                1, 0, now, now, 0, 0, 0, 0, 0, 0, strategy.id() + ": decided by the test", List.of(), null);
        send(producer, settings.topics().batchResults().name(), batchId, Envelopes.encode(decision));
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + topic, e);
        }
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
    }
}
