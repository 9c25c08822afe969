package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * When each batch's first decision became readable, as a user's {@code read_committed} consumer (the dispatch
 * command's {@code --wait}, a results client) sees it: a consumer on {@code <prefix>batch-results} from its end, on a
 * thread of its own, notes the wall-clock time each batch's first record arrives. The aggregator stamps a decision
 * when it makes it; under exactly-once it becomes readable when the aggregator's transaction commits, later by up to
 * a commit interval, so this, not the record's timestamp, is when a decision is seen.
 */
final class DecisionWatch implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> seenMs = new ConcurrentHashMap<>();
    private final Thread thread;

    private DecisionWatch(KafkaSettings kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-decision-watch");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        String topic = kafka.topics().batchResults().name();
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolved now, before any batch of the run is registered
        thread = Thread.ofPlatform().name("bench-decision-watch").daemon().start(this::run);
    }

    /** Starts watching the deployment's decisions topic from its end. */
    static DecisionWatch start(KafkaSettings kafka) {
        return new DecisionWatch(kafka);
    }

    /** When the batch's first decision was read (epoch ms), waiting up to {@code timeout} for it. */
    long readableMs(String batchId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Long seen = seenMs.get(batchId);
            if (seen != null) {
                return seen;
            }
            Thread.sleep(10); // polling a map filled by the watch thread
        }
        throw new IllegalStateException("batch " + batchId + ": no decision readable within " + timeout);
    }

    private void run() {
        try {
            while (true) {
                var records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis();
                records.forEach(record -> {
                    if (record.key() != null && record.value() != null) {
                        seenMs.putIfAbsent(new String(record.key(), StandardCharsets.UTF_8), now);
                    }
                });
            }
        } catch (WakeupException closing) {
            // close() ends the watch
        } finally {
            Readers.close(consumer);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(Duration.ofSeconds(5));
    }
}
