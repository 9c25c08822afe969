package dev.fanout.dispatcher.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads what the batches topic holds about one batch: its latest definition. */
public final class BatchLog {

    private static final Logger log = LoggerFactory.getLogger(BatchLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private BatchLog() {
    }

    /** The last definition registered for the batch, if it was ever registered. */
    public static Optional<BatchDefinition> latestDefinition(KafkaSettings kafka, String batchId) {
        String topic = kafka.topics().batches().name();
        try (KafkaConsumer<String, byte[]> consumer = BatchPartition.consumer(kafka, "fanout-dispatcher-batch-log")) {
            TopicPartition partition = BatchPartition.of(consumer, topic, batchId);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            BatchDefinition latest = null;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (batchId.equals(record.key())) {
                        BatchDefinition definition = decode(record);
                        latest = definition == null ? latest : definition;
                    }
                }
            }
            return Optional.ofNullable(latest);
        }
    }

    private static BatchDefinition decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Envelopes.decode(record.value(), BatchDefinition.class);
        } catch (PoisonRecordException e) {
            log.warn("skipping an invalid batch definition at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
