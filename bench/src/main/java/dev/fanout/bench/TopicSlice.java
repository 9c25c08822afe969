package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The records a topic gained since a mark: {@link #mark} takes the end offsets of every partition, and
 * {@link #read} hands over everything from those offsets to the end at the time of the call, with a plain consumer
 * and no group. So a benchmark round reads only its own records, however many rounds came before.
 */
public final class TopicSlice {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaSettings kafka;
    private final String topic;
    private final Map<TopicPartition, Long> from;

    private TopicSlice(KafkaSettings kafka, String topic, Map<TopicPartition, Long> from) {
        this.kafka = kafka;
        this.topic = topic;
        this.from = from;
    }

    /** The topic's end offsets now: the next {@link #read} starts there. */
    public static TopicSlice mark(KafkaSettings kafka, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka);
        try {
            return new TopicSlice(kafka, topic, new HashMap<>(consumer.endOffsets(partitions(consumer, topic))));
        } finally {
            Readers.close(consumer);
        }
    }

    /** How many records the topic gained since the mark (its end offsets now, less the mark's). */
    public long added() {
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka);
        try {
            return consumer.endOffsets(partitions(consumer, topic)).entrySet().stream()
                    .mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
        } finally {
            Readers.close(consumer);
        }
    }

    /** Hands every record added since the mark to {@code sink}, partition by partition in offset order. */
    void read(Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka);
        try {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            partitions.forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(POLL).forEach(sink);
            }
        } finally {
            Readers.close(consumer);
        }
    }

    /**
     * Waits until the topic has gained {@code expected} records since the mark, running {@code check} (which may
     * throw to give up) every 100 ms; fails after the timeout.
     */
    void awaitAdded(long expected, Duration timeout, Runnable check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        KafkaConsumer<byte[], byte[]> consumer = consumer(kafka);
        try {
            List<TopicPartition> partitions = partitions(consumer, topic);
            while (true) {
                long added = consumer.endOffsets(partitions).entrySet().stream()
                        .mapToLong(e -> e.getValue() - from.getOrDefault(e.getKey(), 0L)).sum();
                if (added >= expected) {
                    return;
                }
                check.run();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + " gained " + added + " of " + expected + " records within "
                            + timeout);
                }
                Thread.sleep(100); // polling end offsets
            }
        } finally {
            Readers.close(consumer);
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition()))
                .toList();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-slice");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
