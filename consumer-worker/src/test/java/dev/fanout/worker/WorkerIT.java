package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ResultHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KafkaSettings settings;
    private Topics topics;
    private TopicRecords records;
    private Worker worker;

    @BeforeEach
    void setUp(TestKafka kafka) {
        settings = Jobs.isolated(kafka.bootstrapServers(), "it", 2, 2);
        topics = settings.topics();
        records = new TopicRecords(kafka.bootstrapServers());
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        records.close();
    }

    @Test
    void everyItemGetsOneResultFailuresAreDeadLetteredWithContextAndOffsetsAreCommitted() {
        worker = startWorker(WorkerConfig.of(settings).withMaxConcurrency(16));
        int total = 100;
        for (int index = 0; index < total; index++) {
            boolean fails = index % 10 == 3;
            JsonNode settingsNode = fails ? JsonNodeFactory.instance.objectNode().put("latencyMs", 1)
                    .put("failureRate", 1.0) : null;
            send(job("batch-a", index, total, fails ? "simulate" : "echo", settingsNode), "key-" + (index % 7));
        }

        List<ItemResult> results = results(total);
        assertThat(results).extracting(ItemResult::index).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.range(0, total).boxed().toList());
        assertThat(results.stream().filter(r -> r.status() == ItemStatus.FAILED)).hasSize(10)
                .allSatisfy(r -> {
                    assertThat(r.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
                    assertThat(r.deadLettered()).isTrue();
                    assertThat(r.error().message()).contains("simulated failure of item " + r.index());
                });
        assertThat(results.stream().filter(r -> r.status() == ItemStatus.SUCCEEDED)
                .allMatch(r -> r.output() != null && r.output().get("n").asLong() == r.index())).isTrue();
        assertThat(records.awaitAtLeast(topics.results().name(), total, TIMEOUT)).allSatisfy(record -> {
            ItemResult result = Envelopes.decode(record.value(), ItemResult.class);
            assertThat(ResultHeaders.summary(record.headers()))
                    .contains(new ResultHeaders.Summary(result.index(), result.status()));
        });

        List<ConsumerRecord<String, byte[]>> dead = records.awaitAtLeast(topics.deadLetters().name(), 10, TIMEOUT);
        assertThat(dead).hasSize(10).allSatisfy(record -> {
            assertThat(header(record, FanoutHeaders.DLT_REASON)).isEqualTo("HANDLER_ERROR");
            assertThat(header(record, FanoutHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topics.jobs(Lane.NORMAL).name());
            assertThat(header(record, FanoutHeaders.DLT_ORIGINAL_OFFSET)).matches("\\d+");
            assertThat(header(record, FanoutHeaders.DLT_EXCEPTION_CLASS)).endsWith("SimulatedFailure");
            assertThat(header(record, FanoutHeaders.DLT_STACKTRACE)).contains("SimulateHandlerProvider");
            assertThat(header(record, FanoutHeaders.DLT_WORKER_ID)).isEqualTo(worker.config().workerId());
            assertThat(header(record, FanoutHeaders.BATCH_ID)).isEqualTo("batch-a");
            assertThat(record.key()).startsWith("key-");
            assertThat(Envelopes.decode(record.value(), JobRecord.class).handler()).isEqualTo("simulate");
        });

        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(committedTotal()).isEqualTo(total));
    }

    @Test
    void aMalformedRecordIsDeadLetteredWithItsRawBytesAndTheWorkerGoesOn() {
        worker = startWorker(WorkerConfig.of(settings));
        byte[] garbage = "{\"schemaVersion\": 1, \"batchId\": ".getBytes(StandardCharsets.UTF_8);
        records.send(new ProducerRecord<>(topics.jobs(Lane.NORMAL).name(), 0, "k", garbage));
        String wrong = new String(Envelopes.encode(job("batch-b", 0, 2, "echo", null)), StandardCharsets.UTF_8).replace("\"index\":0", "\"index\":\"zero\"");
        records.send(new ProducerRecord<>(topics.jobs(Lane.NORMAL).name(), 0, "k",
                wrong.getBytes(StandardCharsets.UTF_8)));
        byte[] deep = ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
        records.send(new ProducerRecord<>(topics.jobs(Lane.NORMAL).name(), 0, "k", deep));
        send(job("batch-b", 1, 2, "echo", null), "k");

        List<ItemResult> results = results(1);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
        });
        List<ConsumerRecord<String, byte[]>> dead = records.awaitAtLeast(topics.deadLetters().name(), 3, TIMEOUT);
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0).value()).isEqualTo(garbage);
        assertThat(header(dead.get(0), FanoutHeaders.DLT_REASON)).isEqualTo("POISON");
        assertThat(header(dead.get(0), FanoutHeaders.DLT_EXCEPTION_MESSAGE)).startsWith("not valid JSON");
        assertThat(header(dead.get(1), FanoutHeaders.DLT_REASON)).isEqualTo("POISON");
        assertThat(header(dead.get(1), FanoutHeaders.DLT_EXCEPTION_MESSAGE))
                .contains("field 'index' has the wrong value 'zero': expected a whole number");
        assertThat(dead.get(2).value()).isEqualTo(deep);
        assertThat(header(dead.get(2), FanoutHeaders.DLT_EXCEPTION_MESSAGE))
                .isEqualTo("the document nests arrays and objects more than 1000 levels deep; flatten it");
        assertThat(worker.metrics().poison().getCount()).isEqualTo(3);
    }

    @Test
    void anItemForAHandlerTheWorkerLacksIsDeadLetteredAndTheSameKeyGoesOn() {
        worker = startWorker(WorkerConfig.of(settings));
        send(job("batch-c", 0, 2, "no-such-handler", null), "same");
        send(job("batch-c", 1, 2, "echo", null), "same");

        List<ItemResult> results = results(2);
        assertThat(results).filteredOn(r -> r.index() == 0).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.FAILED);
            assertThat(r.reason()).isEqualTo(FailureReason.UNKNOWN_HANDLER);
            assertThat(r.error().message()).contains("handler 'no-such-handler' is not available");
        });
        assertThat(results).filteredOn(r -> r.index() == 1).singleElement()
                .extracting(ItemResult::status).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(records.awaitAtLeast(topics.deadLetters().name(), 1, TIMEOUT))
                .singleElement().satisfies(r -> assertThat(header(r, FanoutHeaders.DLT_REASON))
                        .isEqualTo("UNKNOWN_HANDLER"));
    }

    @Test
    void anOversizedRecordIsDeadLetteredAndStillCountedForItsBatch() {
        worker = startWorker(WorkerConfig.of(settings).withMaxRecordBytes(2048));
        ObjectNode big = JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(4000));
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "batch-d", "0", 0, 1L, "echo", null, big,
                JobRecord.defaultTraceId("batch-d", 0), 1, Instant.now());
        send(job, "k");

        assertThat(results(1)).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.OVERSIZED);
            assertThat(r.error().message()).contains("over the worker's maxRecordBytes of 2048");
        });
        assertThat(records.awaitAtLeast(topics.deadLetters().name(), 1, TIMEOUT)).singleElement().satisfies(r -> {
            assertThat(r.value()).as("too large for a produce request too: left out").isNull();
            assertThat(Long.parseLong(header(r, FanoutHeaders.DLT_ORIGINAL_SIZE))).isGreaterThan(4000);
            assertThat(header(r, FanoutHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("0");
        });
    }

    @Test
    void anIdleWorkerSleepsWithoutFetchingAndWakesForTheNextJob() {
        worker = startWorker(WorkerConfig.of(settings));
        await().atMost(TIMEOUT).until(() -> worker.idleSleeps() >= 1);
        long asleep = worker.idleSleeps();

        send(job("batch-idle", 0, 3, "echo", null), "a");
        send(job("batch-idle", 1, 3, "echo", null), "b");
        send(job("batch-idle", 2, 3, "echo", null), "c");

        assertThat(results(3)).extracting(ItemResult::status).containsOnly(ItemStatus.SUCCEEDED);
        // woken by the record, it worked, and once idle again it sleeps again
        await().atMost(TIMEOUT).until(() -> worker.idleSleeps() > asleep);
    }

    private Worker startWorker(WorkerConfig config) {
        return Worker.start(config.withGroupId("group-" + UUID.randomUUID()), HandlerCatalog.load(),
                new MetricRegistry(), InstantSource.system(), null);
    }

    private static JobRecord job(String batchId, long index, long total, String handler, JsonNode settings) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("n", index);
        return new JobRecord(Envelopes.SCHEMA_VERSION, batchId, Long.toString(index), index, total, handler, settings,
                payload, JobRecord.defaultTraceId(batchId, index), 1, Instant.now());
    }

    private void send(JobRecord job, String key) {
        ProducerRecord<String, byte[]> record = Jobs.record(topics.jobs(Lane.NORMAL).name(), key, job);
        records.send(record);
    }

    private List<ItemResult> results(int count) {
        return records.awaitAtLeast(topics.results().name(), count, TIMEOUT).stream()
                .map(r -> Envelopes.decode(r.value(), ItemResult.class)).toList();
    }

    private long committedTotal() throws Exception {
        String lane = topics.jobs(Lane.NORMAL).name();
        try (Admin admin = Admin.create(settings.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(worker.config().groupId()).partitionsToOffsetAndMetadata().get();
            return committed.entrySet().stream().filter(e -> e.getKey().topic().equals(lane))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return FanoutHeaders.text(record.headers(), name).orElse(null);
    }
}
