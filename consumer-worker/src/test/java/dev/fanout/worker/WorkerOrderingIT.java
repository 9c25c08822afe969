package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkerOrderingIT {

    private static final int KEYS = 4;
    private static final int PER_KEY = 12;

    @ParameterizedTest
    @EnumSource(OrderingMode.class)
    void eachOrderingModeKeepsExactlyTheOrderItPromises(OrderingMode mode, TestKafka kafka) throws Exception {
        KafkaSettings settings = Jobs.isolated(kafka.bootstrapServers(), "it", 2, 2);
        Recording recording = new Recording();
        WorkerConfig config = WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID())
                .withMaxConcurrency(32).withOrdering(mode);
        try (Worker worker = Worker.start(config, Recording.catalogWith(recording), new MetricRegistry(),
                InstantSource.system(), null)) {
            publish(settings);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(recording.runs)
                    .as("runs (worker owns %s, %d unfinished)", worker.assignment(), worker.unfinished())
                    .hasSize(KEYS * PER_KEY));
        }

        Map<String, List<Recording.Run>> byKey = recording.runs.stream()
                .collect(Collectors.groupingBy(Recording.Run::key));
        switch (mode) {
            case KEY -> {
                byKey.values().forEach(runs -> {
                    List<Recording.Run> byStart = runs.stream()
                            .sorted(Comparator.comparingLong(Recording.Run::startNanos)).toList();
                    assertThat(byStart).extracting(Recording.Run::index).as("same key: offset order").isSorted();
                    for (int i = 1; i < byStart.size(); i++) {
                        assertThat(byStart.get(i).startNanos()).as("same key: no overlap")
                                .isGreaterThanOrEqualTo(byStart.get(i - 1).endNanos());
                    }
                });
                assertThat(recording.maxRunning.get()).as("different keys run in parallel").isGreaterThan(1);
            }
            case PARTITION -> assertThat(recording.maxRunning.get()).as("one at a time per partition, 2 partitions")
                    .isBetween(1, 2);
            case UNORDERED -> assertThat(recording.maxRunningPerKey.values().stream().mapToInt(Integer::intValue)
                    .max().orElseThrow()).as("items of one key overlap").isGreaterThan(1);
        }
    }

    /**
     * Per key, earlier items sleep longer (60 ms down to 5 ms), so that without ordering later items would finish
     * first.
     */
    private static void publish(KafkaSettings settings) throws Exception {
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            long index = 0;
            for (int seq = 0; seq < PER_KEY; seq++) {
                for (int key = 0; key < KEYS; key++) {
                    long sleep = 60 - seq * 5L;
                    JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "order", Long.toString(index), index,
                            (long) KEYS * PER_KEY, "record", null,
                            JsonNodeFactory.instance.objectNode().put("sleepMs", sleep),
                            JobRecord.defaultTraceId("order", index), 1, Instant.now());
                    ProducerRecord<String, byte[]> record = Jobs.record(topic, "key-" + key, job);
                    producer.send(record);
                    index++;
                }
            }
            producer.flush();
        }
    }
}
