package dev.fanout.bench.chaos;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** How far a batch has got: the items with a result so far, read from the batch's partition of the results topic. */
final class BatchWatch implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String batchId;
    private final Set<Long> finished = new HashSet<>();

    /** Starts at the end of the results topic: call it before the batch is dispatched. */
    BatchWatch(KafkaSettings kafka, String batchId) {
        this.batchId = batchId;
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-chaos-watch");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = kafka.topics().results().name();
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions); // the batch's records are on one of them, all of them read from the end
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** Items with at least one result now. */
    long finished() {
        read();
        return finished.size();
    }

    /** Waits until {@code items} items have a result, running {@code check} (which may throw) between reads. */
    void awaitFinished(long items, Duration timeout, Runnable check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (finished() < items) {
            check.run();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("batch " + batchId + " has " + finished.size() + " of " + items
                        + " items finished after " + timeout);
            }
        }
    }

    private void read() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            if (batchId.equals(record.key()) && record.value() != null) {
                finished.add(Envelopes.decode(record.value(), ItemResult.class).index());
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
