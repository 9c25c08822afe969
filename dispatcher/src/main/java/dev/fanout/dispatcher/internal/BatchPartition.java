package dev.fanout.dispatcher.internal;

import dev.fanout.config.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import java.util.List;

/**
 * Where a batch's records are on a topic keyed by batch id (batches, results, batch-results): one partition, chosen
 * the way Kafka's default partitioner chooses it for a key (murmur2 of the key's UTF-8 bytes).
 */
public final class BatchPartition {

    private BatchPartition() {
    }

    /** The partition the default partitioner gives {@code key} among {@code partitions}. */
    public static int forKey(String key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The batch's partition of {@code topic}, from the topic's metadata. */
    public static TopicPartition of(KafkaConsumer<?, ?> consumer, String topic, String batchId) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
        }
        return new TopicPartition(topic, forKey(batchId, infos.size()));
    }

    /**
     * A consumer without a group, for reading a batch's partitions. It reads committed records only (the aggregator
     * writes decisions and cancel signals in transactions) and never creates a topic by reading it.
     */
    public static KafkaConsumer<String, byte[]> consumer(KafkaSettings kafka, String clientId) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
