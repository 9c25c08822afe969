package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaFailures;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import dev.fanout.protocol.Envelopes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The handler latency the workers observed lately: the mean {@code durationMs} of the last results on the results
 * topic (up to {@code perPartition} per partition), skipping results of items that never ran and late outputs.
 * {@code durationMs} sums an item's attempts: the time it held a slot, which is what Little's law needs. Read
 * without a consumer group.
 *
 * @param mean    the mean handler time
 * @param results how many results it is the mean of
 */
record ObservedLatency(Duration mean, long results) {

    private static final Duration POLL = Duration.ofMillis(200);

    /** The latency of the latest results, or empty when the results topic has none that ran. */
    static Optional<ObservedLatency> read(KafkaSettings kafka, int perPartition) {
        String topic = kafka.topics().results().name();
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-scaling-latency");
        long sumMs = 0;
        long count = 0;
        KafkaConsumer<String, byte[]> consumer;
        try {
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw KafkaFailures.describe(e, kafka, "read the latest results");
        }
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return Optional.empty();
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.max(begin.get(partition), end.get(partition) - perPartition));
            }
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    long ms = durationMs(record.value());
                    if (ms >= 0) {
                        sumMs += ms;
                        count++;
                    }
                }
            }
        } catch (KafkaException e) {
            throw KafkaFailures.describe(e, kafka, "read the latest results");
        } finally {
            Readers.close(consumer);
        }
        return count == 0 ? Optional.empty()
                : Optional.of(new ObservedLatency(Duration.ofNanos(sumMs * 1_000_000 / count), count));
    }

    /** A result's handler time, or -1 for one that did not run (cancelled, expired) or cannot be read. */
    private static long durationMs(byte[] value) {
        if (value == null) {
            return -1;
        }
        try {
            JsonNode result = Envelopes.mapper().readTree(value);
            JsonNode duration = result.path("durationMs");
            return result.path("late").asBoolean(false) || !duration.canConvertToLong() || result.path("attempts")
                    .asInt(0) == 0 ? -1 : duration.asLong();
        } catch (IOException unreadable) {
            return -1;
        }
    }
}
