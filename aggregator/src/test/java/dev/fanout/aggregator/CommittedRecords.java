package dev.fanout.aggregator;

import static org.awaitility.Awaitility.await;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.TopicDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test clients for what the aggregator writes under exactly-once: topics are read {@code read_committed}, so an
 * aborted transaction (a decision that did not happen) is never seen.
 */
final class CommittedRecords implements AutoCloseable {

    private final KafkaSettings settings;
    private final KafkaProducer<String, byte[]> producer;

    CommittedRecords(KafkaSettings settings) {
        this.settings = settings;
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes a record and waits for its acknowledgement. */
    void send(TopicDescriptor<?> topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + topic, e);
        }
    }

    /** Writes records in one burst (no wait between them) and waits until every one is acknowledged. */
    void sendAll(TopicDescriptor<?> topic, String key, List<byte[]> values) {
        List<Future<?>> sent = new ArrayList<>();
        values.forEach(value -> sent.add(producer.send(new ProducerRecord<>(topic.name(), key, value))));
        producer.flush();
        for (Future<?> ack : sent) {
            try {
                ack.get();
            } catch (Exception e) {
                throw new IllegalStateException("could not write to " + topic, e);
            }
        }
    }

    /** Every committed record on the topic now; none when the topic does not exist (yet). */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.listTopics(Duration.ofSeconds(10)).getOrDefault(topic, List.of())
                    .stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Waits until the topic's committed records satisfy {@code done}, then returns them. */
    List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        return awaitRecordsWithin(topic, done, Duration.ofSeconds(60));
    }

    List<ConsumerRecord<String, byte[]>> awaitRecordsWithin(String topic,
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        List<List<ConsumerRecord<String, byte[]>>> seen = new ArrayList<>(List.of(List.of()));
        await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            seen.set(0, readAll(topic));
            return done.test(seen.get(0));
        });
        return seen.get(0);
    }

    @Override
    public void close() {
        producer.close();
    }
}
