package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.RecordingDownstream;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(KafkaExtension.class)
class WorkerLimitsIT {

    private static final Logger log = LoggerFactory.getLogger(WorkerLimitsIT.class);
    private static final int LIMIT = 100;
    private static final Duration PERIOD = Duration.ofSeconds(1);
    /**
     * The broker, the workers and the downstream share two busy cores here, and a request can be held up some 100 ms
     * between its permit and its arrival: the default guard (50 ms) left the busiest windows at 97 to 100.
     */
    private static final RateLimitSpec HUNDRED_PER_SECOND = new RateLimitSpec(LIMIT, PERIOD, Duration.ofMillis(100));
    /**
     * Twelve seconds of the limit: every sliding window of them is checked against it, and the third worker joins
     * with some 900 items, about 9 s, to go.
     */
    private static final int ITEMS = 1_200;

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
    void twoWorkersNeverSendMoreThanTheGroupLimitInAnySlidingWindowAndComeCloseToIt(TestKafka kafka)
            throws Exception {
        KafkaSettings sixPartitions = Jobs.isolated(kafka.bootstrapServers(), "rate", 6, 2);
        try (RecordingDownstream downstream = RecordingDownstream.start()) {
            WorkerConfig config = rateLimited(sixPartitions, downstream);
            try (Worker first = start(config, "w1"); Worker second = start(config, "w2")) {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        first.assignment().size() == 3 && second.assignment().size() == 3);
                publishEvenly(sixPartitions, ITEMS);
                await().atMost(Duration.ofMinutes(3)).until(() -> downstream.count() >= ITEMS);
            }

            log.info("busiest 1 s window: {} requests; mean {} requests/s", downstream.mostInAnyWindow(PERIOD),
                    String.format("%.1f", downstream.meanRatePerSecond()));
            assertThat(downstream.mostInAnyWindow(PERIOD)).as("requests in the busiest 1 s window")
                    .isLessThanOrEqualTo(LIMIT)
                    .isGreaterThanOrEqualTo(LIMIT * 85 / 100); // 100 per 1.1 s: about 91 in any second
            assertThat(downstream.meanRatePerSecond()).as("requests per second over the batch")
                    .isGreaterThanOrEqualTo(LIMIT * 0.75);
        }
    }

    @Test
    void aThirdWorkerJoiningMidBatchKeepsTheGroupUnderTheLimitInEverySlidingWindow(TestKafka kafka)
            throws Exception {
        KafkaSettings sixPartitions = Jobs.isolated(kafka.bootstrapServers(), "rate", 6, 2);
        try (RecordingDownstream downstream = RecordingDownstream.start()) {
            WorkerConfig config = rateLimited(sixPartitions, downstream);
            try (Worker first = start(config, "w1"); Worker second = start(config, "w2")) {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        first.assignment().size() == 3 && second.assignment().size() == 3);
                publishEvenly(sixPartitions, ITEMS);
                await().atMost(Duration.ofMinutes(1)).until(() -> downstream.count() >= ITEMS / 4);

                long settled;
                try (Worker third = start(config, "w3")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> third.assignment().size() == 2
                            && first.assignment().size() == 2 && second.assignment().size() == 2);
                    settled = System.nanoTime() + HUNDRED_PER_SECOND.window().toNanos();
                    await().atMost(Duration.ofMinutes(3)).until(() -> downstream.count() >= ITEMS);
                    assertThat(third.metrics().succeeded().getCount()).as("items the joining worker ran")
                            .isPositive();
                }

                log.info("busiest 1 s window: {} requests, {} once the third worker's share was in force; mean {} "
                        + "requests/s", downstream.mostInAnyWindow(PERIOD),
                        downstream.mostInAnyWindowSince(settled, PERIOD),
                        String.format("%.1f", downstream.meanRatePerSecond()));
                assertThat(downstream.mostInAnyWindowSince(settled, PERIOD))
                        .as("requests in the busiest 1 s window once the third worker's share was in force")
                        .isGreaterThanOrEqualTo(LIMIT * 85 / 100);
            }
            assertThat(downstream.mostInAnyWindow(PERIOD)).as("requests in the busiest 1 s window")
                    .isLessThanOrEqualTo(LIMIT);
        }
    }

    /**
     * Workers calling the downstream through handler {@code api} ({@code http}) under {@code rateLimiters: {api:
     * {limit: 100, period: 1s, guard: 100ms}}} and a bulkhead; few records buffered, so a rebalance drains in well
     * under a second.
     */
    private static WorkerConfig rateLimited(KafkaSettings kafka, RecordingDownstream downstream) {
        ObjectNode http = JsonNodeFactory.instance.objectNode().put("url", downstream.url("/items/{{n}}"));
        return WorkerConfig.of(kafka).withGroupId("g-" + UUID.randomUUID()).withMaxConcurrency(10)
                .withMaxBuffered(40).withOrdering(OrderingMode.UNORDERED).withLanes(List.of(Lane.NORMAL))
                .withHandlers(Map.of("api", new HandlerSpec("http", http, "api", "api")),
                        Map.of("api", new BulkheadSpec(10)), Map.of("api", HUNDRED_PER_SECOND));
    }

    private static Worker start(WorkerConfig config, String id) {
        return Worker.start(config.withWorkerId(id), HandlerCatalog.load(), new MetricRegistry(),
                InstantSource.system(), null);
    }

    /** {@code count} jobs for handler {@code api}, item i on partition i mod 6, so every partition has as many. */
    private static void publishEvenly(KafkaSettings kafka, int count) {
        String topic = kafka.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "rate", Long.toString(index), index,
                        (long) count, "api", null, JsonNodeFactory.instance.objectNode().put("n", index),
                        JobRecord.defaultTraceId("rate", index), 1, Instant.now());
                producer.send(Jobs.record(topic, (int) (index % 6), "k" + index, job));
            }
            producer.flush();
        }
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
