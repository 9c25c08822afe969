package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TopicDescriptor;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class AggregatorIT {

    @Test
    void aRunningAggregatorDecidesABatchOnceWithExactCountsAndDeadLettersAMalformedResult(TestKafka kafka)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("it-" + run + ".").withPartitions(1, 2);
        Topics topics = settings.topics();
        AggregatorConfig config = AggregatorConfig.of(settings)
                .withApplicationId("it-aggregator-" + run)
                .withPunctuationInterval(Duration.ofMillis(200));
        MetricRegistry registry = new MetricRegistry();
        String batchId = "batch-" + run;
        byte[] malformed = "{\"schemaVersion\":1,\"batchId\":".getBytes(StandardCharsets.UTF_8);

        try (Aggregator aggregator = Aggregator.start(config, registry);
                KafkaProducer<String, byte[]> producer = producer(settings);
                KafkaConsumer<String, byte[]> consumer = consumer(settings)) {
            aggregator.awaitRunning(Duration.ofSeconds(60));

            send(producer, topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, 4,
                    BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.CONTINUE), Instant.now())));
            send(producer, topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 0)));
            send(producer, topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 1)));
            send(producer, topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 1)));
            send(producer, topics.results(), batchId, malformed);
            send(producer, topics.results(), batchId, Envelopes.encode(Fixtures.failure(batchId, 2)));
            send(producer, topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 3)));

            assign(consumer, topics.batchResults(), topics.deadLetters());
            List<ConsumerRecord<String, byte[]>> decisions = new ArrayList<>();
            List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                poll(consumer, topics, decisions, deadLetters);
                return !decisions.isEmpty() && !deadLetters.isEmpty();
            });
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInSameThread().until(() -> {
                poll(consumer, topics, decisions, deadLetters);
                return decisions.size() == 1 && deadLetters.size() == 1;
            });

            assertThat(decisions).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo(batchId);
                BatchResult decision = Envelopes.decode(record.value(), BatchResult.class);
                assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
                assertThat(decision.revision()).isEqualTo(1);
                assertThat(decision.total()).isEqualTo(4);
                assertThat(decision.succeeded()).isEqualTo(3);
                assertThat(decision.failed()).isEqualTo(1);
                assertThat(decision.deadLettered()).isEqualTo(1);
                assertThat(decision.successRate()).isEqualTo(0.75);
                assertThat(decision.sumItemMs()).isEqualTo(40);
            });
            assertThat(deadLetters).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo(batchId);
                assertThat(record.value()).isEqualTo(malformed);
                assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.DLT_REASON)).contains("POISON");
                assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.DLT_ORIGINAL_TOPIC))
                        .contains(topics.results().name());
            });
            assertThat(registry.counter(AggregatorMetrics.DUPLICATES).getCount()).isEqualTo(1);
            assertThat(registry.counter(AggregatorMetrics.POISON).getCount()).isEqualTo(1);
            assertThat(registry.counter(AggregatorMetrics.BATCHES_DECIDED).getCount()).isEqualTo(1);

            aggregator.close();
            assertThat(aggregator.state().hasCompletedShutdown()).isTrue();
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, TopicDescriptor<?> topic, String key,
            byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
    }

    private static void poll(KafkaConsumer<String, byte[]> consumer, Topics topics,
            List<ConsumerRecord<String, byte[]>> decisions, List<ConsumerRecord<String, byte[]>> deadLetters) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            (record.topic().equals(topics.batchResults().name()) ? decisions : deadLetters).add(record);
        }
    }

    private static void assign(KafkaConsumer<String, byte[]> consumer, TopicDescriptor<?>... topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescriptor<?> topic : topics) {
            consumer.partitionsFor(topic.name())
                    .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static KafkaProducer<String, byte[]> producer(KafkaSettings settings) {
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(KafkaSettings settings) {
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
