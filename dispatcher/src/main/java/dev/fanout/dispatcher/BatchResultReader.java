package dev.fanout.dispatcher;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import dev.fanout.config.TopicScan;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads batch decisions from the batch-results topic: the latest one now ({@link #latest}), or the first one to
 * arrive ({@link #await}). Uses no consumer group: it reads the whole topic from the start. (The aggregator's results
 * API, when it exists, answers the same question without a scan.)
 */
public final class BatchResultReader {

    private static final Logger log = LoggerFactory.getLogger(BatchResultReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private BatchResultReader() {
    }

    /** The decision of highest revision published so far, if any. */
    public static Optional<BatchResult> latest(KafkaSettings kafka, String batchId) {
        Objects.requireNonNull(batchId, "batchId");
        BatchResult[] best = new BatchResult[1];
        TopicScan.readAll(kafka, kafka.topics().batchResults().name(), record -> {
            BatchResult result = decode(record, batchId);
            if (result != null && (best[0] == null || result.revision() >= best[0].revision())) {
                best[0] = result;
            }
        });
        return Optional.ofNullable(best[0]);
    }

    /**
     * Waits for the batch's first decision.
     *
     * @param clock       the clock the timeout runs on
     * @param keepWaiting polled between reads; returning false gives up early (e.g. a worker died)
     * @return the decision, or empty if the timeout passed or {@code keepWaiting} said stop
     */
    public static Optional<BatchResult> await(KafkaSettings kafka, InstantSource clock, String batchId,
            Duration timeout, BooleanSupplier keepWaiting) {
        Objects.requireNonNull(batchId, "batchId");
        Instant deadline = clock.instant().plus(timeout);
        KafkaConsumer<String, byte[]> consumer = open(kafka);
        try {
            while (clock.instant().isBefore(deadline) && keepWaiting.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    BatchResult result = decode(record, batchId);
                    if (result != null) {
                        return Optional.of(result);
                    }
                }
            }
            return Optional.empty();
        } finally {
            Readers.close(consumer);
        }
    }

    private static KafkaConsumer<String, byte[]> open(KafkaSettings kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-batch-results-reader");
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = kafka.topics().batchResults().name();
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static BatchResult decode(ConsumerRecord<String, byte[]> record, String batchId) {
        if (!batchId.equals(record.key())) {
            return null;
        }
        try {
            return Envelopes.decode(record.value(), BatchResult.class);
        } catch (PoisonRecordException e) {
            log.warn("skipping an invalid batch result at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
