package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark, not part of the suite: one batch of {@code -Dfanout.bench.items=N} results through a real aggregator,
 * reporting the time to the decision, the aggregator JVM's peak heap and the largest record written. Run it with
 * {@code ./mvnw -B -o -pl aggregator verify -Dit.test=LargeBatchBenchmarkIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfanout.bench.items=1000000}. See {@code aggregator/BENCHMARK.md}.
 */
@ExtendWith(KafkaExtension.class)
@EnabledIfSystemProperty(named = "fanout.bench.items", matches = "\\d+")
class LargeBatchBenchmarkIT {

    private static final Logger log = LoggerFactory.getLogger(LargeBatchBenchmarkIT.class);

    @Test
    void aLargeBatchIsDecidedWithExactCountsAndNoRecordOverOneMegabyte(TestKafka kafka) throws Exception {
        int items = Integer.parseInt(System.getProperty("fanout.bench.items"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix("bench-" + run + ".")
                .withPartitions(1, 4);
        Topics topics = settings.topics();
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("bench-" + run).withHttpPort(0);
        String batchId = "big-" + run;
        Instant start = Instant.now();
        try (Aggregator aggregator = Aggregator.start(config, new MetricRegistry());
                CommittedRecords records = new CommittedRecords(settings);
                KafkaProducer<String, byte[]> producer = producer(settings)) {
            aggregator.awaitRunning(Duration.ofSeconds(60));
            resetPeaks();
            records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, items,
                    BatchPolicy.of(Strategy.BEST_EFFORT, 0.5, PartialFailurePolicy.COLLECT), start)));
            long sendStart = System.nanoTime();
            for (int i = 0; i < items; i++) {
                ItemResult result = i % 100 == 7 ? Fixtures.failure(batchId, i)
                        : Fixtures.success(batchId, i, i % 500, start, null);
                producer.send(new ProducerRecord<>(topics.results().name(), batchId, Envelopes.encode(result)));
            }
            producer.flush();
            long sentMs = (System.nanoTime() - sendStart) / 1_000_000;
            List<ConsumerRecord<String, byte[]>> decisions = records.awaitRecordsWithin(
                    topics.batchResults().name(), found -> !found.isEmpty(), Duration.ofMinutes(30));
            long decidedMs = (System.nanoTime() - sendStart) / 1_000_000;
            BatchResult decision = Envelopes.decode(decisions.get(0).value(), BatchResult.class);
            BatchView view = ((Found<BatchView>) ResultsClient.of(aggregator.resultsApi().orElseThrow())
                    .batch(batchId)).value();
            long largest = largestRecord(settings, List.of(topics.batchResults().name(),
                    config.applicationId() + "-" + AggregatorTopology.BATCH_STORE + "-changelog",
                    config.applicationId() + "-" + AggregatorTopology.ITEM_STORE + "-changelog"));
            log.info("BENCHMARK {} items: sent in {} ms, decided {} ms after the first send ({} results/s);"
                    + " decision {} bytes; largest record on batch-results and the changelogs {} bytes;"
                    + " peak heap {} MB of {} MB; status {} ({} succeeded, {} failed)", items, sentMs, decidedMs,
                    items * 1000L / Math.max(1, decidedMs), decisions.get(0).value().length, largest, peakHeapMb(),
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), decision.status(), decision.succeeded(),
                    decision.failed());
            assertThat(decision.total()).isEqualTo(items);
            assertThat(decision.succeeded() + decision.failed()).isEqualTo(items);
            assertThat(decision.failed()).isEqualTo(view.failed());
            assertThat(largest).isLessThan(1_000_000);
        }
    }

    private static KafkaProducer<String, byte[]> producer(KafkaSettings settings) {
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    private static long largestRecord(KafkaSettings settings, List<String> topics) {
        Map<String, Object> properties = settings.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        long largest = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topics) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        largest = Math.max(largest, record.serializedValueSize() + record.serializedKeySize());
                    }
                }
            }
        }
        return largest;
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeapMb() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() / (1024 * 1024);
    }
}
