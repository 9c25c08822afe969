package dev.fanout.dispatcher.dlq;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topic without a consumer group: every record now on it (partition by partition, in offset
 * order), or one record by its coordinates. Keys and values stay raw bytes.
 */
public final class DeadLetterReader {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings kafka;
    private final String topic;

    private DeadLetterReader(KafkaSettings kafka, String topic) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** The dead-letter topic of these settings. */
    public static DeadLetterReader of(KafkaSettings kafka) {
        return new DeadLetterReader(kafka, kafka.topics().deadLetters().name());
    }

    public String topic() {
        return topic;
    }

    /** Every dead letter now on the topic that matches, partition by partition in offset order. */
    public List<DeadLetter> matching(DeadLetterFilter filter) {
        List<DeadLetter> found = new ArrayList<>();
        scan(letter -> {
            if (filter.matches(letter)) {
                found.add(letter);
            }
        });
        return found;
    }

    /** Hands every dead letter now on the topic to {@code sink}, partition by partition in offset order. */
    public void scan(Consumer<DeadLetter> sink) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        try {
            List<TopicPartition> partitions = partitions(consumer);
            for (TopicPartition partition : partitions) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                while (consumer.position(partition) < end) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        if (record.offset() < end) {
                            sink.accept(toDeadLetter(record));
                        }
                    }
                }
            }
        } finally {
            Readers.close(consumer);
        }
    }

    /** The dead letter at {@code partition:offset}, if the topic holds one there. */
    public Optional<DeadLetter> find(int partition, long offset) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        try {
            TopicPartition tp = new TopicPartition(topic, partition);
            if (!partitions(consumer).contains(tp)) {
                return Optional.empty();
            }
            consumer.assign(List.of(tp));
            long start = consumer.beginningOffsets(List.of(tp)).get(tp);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            if (offset < start || offset >= end) {
                return Optional.empty();
            }
            consumer.seek(tp, offset);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() == offset) {
                        return Optional.of(toDeadLetter(record));
                    }
                    if (record.offset() > offset) {
                        return Optional.empty(); // compacted or a transaction marker
                    }
                }
            }
            return Optional.empty();
        } finally {
            Readers.close(consumer);
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        return infos == null ? List.of() : infos.stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                .toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-dlq-" + topic);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static DeadLetter toDeadLetter(ConsumerRecord<byte[], byte[]> record) {
        Instant timestamp = Instant.ofEpochMilli(Math.max(0, record.timestamp()));
        return new DeadLetter(record.topic(), record.partition(), record.offset(), timestamp, record.key(),
                record.value(), record.headers(), DeadLetterHeaders.read(record.headers(), timestamp));
    }
}
