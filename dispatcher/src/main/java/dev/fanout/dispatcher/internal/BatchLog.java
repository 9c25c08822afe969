package dev.fanout.dispatcher.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a topic keyed by batch id holds about one batch: its latest record (a definition, a decision, a control
 * signal), from the batch's one partition, committed records only.
 */
public final class BatchLog {

    private static final Logger log = LoggerFactory.getLogger(BatchLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private BatchLog() {
    }

    /** The last definition registered for the batch, if it was ever registered. */
    public static Optional<BatchDefinition> latestDefinition(KafkaSettings kafka, String batchId) {
        return latest(kafka, kafka.topics().batches().name(), batchId, BatchDefinition.class);
    }

    /**
     * The batch's last valid record on {@code topic} now; empty if it has none, or if its last record is a tombstone
     * (withdrawn). Invalid records are skipped with a warning.
     */
    public static <T> Optional<T> latest(KafkaSettings kafka, String topic, String batchId, Class<T> type) {
        AtomicReference<T> latest = new AtomicReference<>();
        forEach(kafka, topic, batchId, record -> latest.set(
                record.value() == null ? null : decode(record, type, latest.get())));
        return Optional.ofNullable(latest.get());
    }

    /** Every valid record of the batch now on {@code topic}, in offset order (tombstones and invalid ones skipped). */
    public static <T> List<T> all(KafkaSettings kafka, String topic, String batchId, Class<T> type) {
        List<T> records = new ArrayList<>();
        forEach(kafka, topic, batchId, record -> {
            T value = record.value() == null ? null : decode(record, type, null);
            if (value != null) {
                records.add(value);
            }
        });
        return records;
    }

    /** Hands the batch's records now on its partition of {@code topic} to {@code sink}, in offset order. */
    private static void forEach(KafkaSettings kafka, String topic, String batchId,
            Consumer<ConsumerRecord<String, byte[]>> sink) {
        KafkaConsumer<String, byte[]> consumer = BatchPartition.consumer(kafka, "fanout-dispatcher-batch-log");
        try {
            TopicPartition partition = BatchPartition.of(consumer, topic, batchId);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (batchId.equals(record.key()) && record.offset() < end) {
                        sink.accept(record);
                    }
                }
            }
        } finally {
            Readers.close(consumer);
        }
    }

    private static <T> T decode(ConsumerRecord<String, byte[]> record, Class<T> type, T before) {
        try {
            return Envelopes.decode(record.value(), type);
        } catch (PoisonRecordException e) {
            log.warn("skipping an invalid {} at {}-{}@{}: {}", type.getSimpleName(), record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return before;
        }
    }
}
