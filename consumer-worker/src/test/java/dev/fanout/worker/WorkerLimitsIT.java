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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkerLimitsIT {

    private KafkaSettings settings;

    @BeforeEach
    void setUp(TestKafka kafka) {
        settings = Jobs.isolated(kafka.bootstrapServers(), "it", 2, 2);
    }

    @Test
    void aNamedBulkheadCapsItsHandlersItemsWhileTheWorkerRunsMore() throws Exception {
        Recording recording = new Recording();
        WorkerConfig config = WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID()).withMaxConcurrency(50)
                .withOrdering(OrderingMode.UNORDERED)
                .withHandlers(Map.of("api", new HandlerSpec("record", null, "user-api", null)),
                        Map.of("user-api", new BulkheadSpec(3)), Map.of());
        try (Worker worker = Worker.start(config, Recording.catalogWith(recording), new MetricRegistry(),
                InstantSource.system(), null)) {
            publish(60, "api", 20);
            await().atMost(Duration.ofSeconds(60)).until(() -> recording.runs.size() == 60);
        }

        assertThat(recording.maxRunning.get()).isEqualTo(3);
    }

    @Test
    void twoWorkersTogetherStayUnderOneGroupWideRateLimit() throws Exception {
        Recording recording = new Recording();
        String group = "g-" + UUID.randomUUID();
        WorkerConfig config = WorkerConfig.of(settings).withGroupId(group).withMaxConcurrency(50)
                .withOrdering(OrderingMode.UNORDERED).withLanes(List.of(Lane.NORMAL))
                .withHandlers(Map.of("api", new HandlerSpec("record", null, null, "quota")), Map.of(),
                        Map.of("quota", new RateLimitSpec(20, Duration.ofSeconds(1))));
        MetricRegistry metrics = new MetricRegistry();
        try (Worker first = Worker.start(config.withWorkerId("w1"), Recording.catalogWith(recording), metrics,
                InstantSource.system(), null);
                Worker second = Worker.start(config.withWorkerId("w2"), Recording.catalogWith(recording), metrics,
                        InstantSource.system(), null)) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    first.assignment().size() == 1 && second.assignment().size() == 1);
            publish(60, "api", 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> recording.runs.size() == 60);

            assertThat(first.metrics().succeeded().getCount()).as("both workers took items").isPositive();
            assertThat(second.metrics().succeeded().getCount()).isPositive();
        }

        long first = recording.runs.stream().mapToLong(Recording.Run::startNanos).min().orElseThrow();
        long last = recording.runs.stream().mapToLong(Recording.Run::startNanos).max().orElseThrow();
        double seconds = (last - first) / 1e9;
        // each worker owns 1 of 2 partitions: 10/s each. One period's permits may go at once (10 per worker);
        // the other 40 need at least 2 s at 20/s
        assertThat(seconds).as("60 items at 20/s for the whole group").isGreaterThanOrEqualTo(1.9);
    }

    private void publish(int count, String handler, long sleepMs) throws Exception {
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "limits", Long.toString(index), index,
                        (long) count, handler, null, JsonNodeFactory.instance.objectNode().put("sleepMs", sleepMs),
                        JobRecord.defaultTraceId("limits", index), 1, Instant.now());
                ProducerRecord<String, byte[]> record = Jobs.record(topic, "k" + index, job);
                producer.send(record);
            }
            producer.flush();
        }
    }
}
