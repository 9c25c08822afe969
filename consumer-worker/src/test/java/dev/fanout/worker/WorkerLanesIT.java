package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class WorkerLanesIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private KafkaSettings settings;
    private TopicRecords records;
    private Worker worker;

    @BeforeEach
    void setUp(TestKafka kafka) {
        settings = Jobs.isolated(kafka.bootstrapServers(), "lanes", 2, 2);
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
    void highPriorityItemsPublishedBehindALowPriorityBacklogFinishBeforeMostOfIt() throws Exception {
        worker = Worker.start(WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID()).withMaxConcurrency(20),
                HandlerCatalog.load(), new MetricRegistry(), InstantSource.system(), null);
        int low = 10_000;
        int high = 200;
        publish(Lane.LOW, "backlog", low, null);
        await().atMost(TIMEOUT).until(() -> worker.metrics().succeeded().getCount() >= 300);
        publish(Lane.HIGH, "urgent", high, null);

        List<ItemResult> results = awaitResults(low + high);

        Instant lastUrgent = results.stream().filter(r -> r.batchId().equals("urgent")).map(ItemResult::finishedAt)
                .max(Comparator.naturalOrder()).orElseThrow();
        long backlogAfter = results.stream()
                .filter(r -> r.batchId().equals("backlog") && r.finishedAt().isAfter(lastUrgent)).count();
        assertThat(backlogAfter).as("backlog items finished after the last urgent one").isGreaterThan(low / 2);
    }

    @Test
    void anItemThatWaitedPastItsExpiryIsDeadLetteredAsExpiredWithoutRunning() throws Exception {
        worker = Worker.start(WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID()), HandlerCatalog.load(),
                new MetricRegistry(), InstantSource.system(), null);
        publish(Lane.NORMAL, "late", 1, Instant.now().minusSeconds(60));

        ItemResult result = awaitResults(1).get(0);

        assertThat(result.reason()).isEqualTo(FailureReason.EXPIRED);
        assertThat(result.error().message()).contains("waited past its expiry");
        assertThat(worker.metrics().started().getCount()).as("the handler never ran").isZero();
        assertThat(records.awaitAtLeast(settings.topics().deadLetters().name(), 1, TIMEOUT)).singleElement()
                .satisfies(r -> assertThat(FanoutHeaders.text(r.headers(), FanoutHeaders.DLT_REASON))
                        .contains("EXPIRED"));
    }

    @Test
    void aCancelledBatchsItemsAreRecordedCancelledWithoutRunningWhileAnotherBatchRuns() throws Exception {
        dev.fanout.config.TopicInitializer.ensure(settings, settings.topics().all());
        ControlSignal cancel = new ControlSignal(Envelopes.SCHEMA_VERSION, "doomed", ControlSignal.Action.CANCEL,
                "fail_fast: item 3 failed", Instant.now());
        records.send(new ProducerRecord<>(settings.topics().control().name(), "doomed", Envelopes.encode(cancel)));
        worker = Worker.start(WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID()), HandlerCatalog.load(),
                new MetricRegistry(), InstantSource.system(), null);
        publish(Lane.NORMAL, "doomed", 10, null);
        publish(Lane.NORMAL, "alive", 10, null);

        List<ItemResult> results = awaitResults(20);

        assertThat(results).filteredOn(r -> r.batchId().equals("doomed")).hasSize(10).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.CANCELLED);
            assertThat(r.reason()).isEqualTo(FailureReason.CANCELLED);
            assertThat(r.error().message()).isEqualTo("fail_fast: item 3 failed");
            assertThat(r.deadLettered()).isFalse();
        });
        assertThat(results).filteredOn(r -> r.batchId().equals("alive"))
                .extracting(ItemResult::status).containsOnly(ItemStatus.SUCCEEDED);
        assertThat(worker.metrics().started().getCount()).as("only the live batch ran").isEqualTo(10);
        assertThat(worker.metrics().cancelled().getCount()).isEqualTo(10);
    }

    private void publish(Lane lane, String batchId, int count, Instant expiresAt) throws Exception {
        String topic = settings.topics().jobs(lane).name();
        var jobSettings = JsonNodeFactory.instance.objectNode().put("latencyMs", 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                Instant created = expiresAt == null ? Instant.now() : expiresAt.minusSeconds(1);
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, batchId, Long.toString(index), index,
                        (long) count, "simulate", jobSettings, JsonNodeFactory.instance.objectNode(),
                        JobRecord.defaultTraceId(batchId, index), 1, created, expiresAt);
                ProducerRecord<String, byte[]> record = Jobs.record(topic, batchId + "-" + index, job);
                producer.send(record);
            }
            producer.flush();
        }
    }

    private List<ItemResult> awaitResults(int count) {
        return records.awaitAtLeast(settings.topics().results().name(), count, TIMEOUT).stream()
                .map(r -> Envelopes.decode(r.value(), ItemResult.class)).toList();
    }
}
