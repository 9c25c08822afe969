package dev.fanout.worker;

import static dev.fanout.worker.WorkerHarness.header;
import static dev.fanout.worker.WorkerHarness.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pause, resume and cancel of one batch through the control topic while another batch keeps running. */
@ExtendWith(KafkaExtension.class)
class WorkerSignalsIT {

    private static final int ITEMS = 10;

    private WorkerHarness harness;

    @BeforeEach
    void setUp(TestKafka kafka) {
        harness = new WorkerHarness(kafka.bootstrapServers(), "signals", 2);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void aPausedBatchIsParkedWhileAnotherRunsOnTheSameKeysAndPartitionsAndRunsWhenResumed() {
        harness.signal("paused", ControlSignal.Action.PAUSE);
        Worker worker = harness.start(InstantSource.system(), 8, Map.of());
        publishInterleaved("paused", "running");

        List<ConsumerRecord<String, byte[]>> parked =
                harness.records.awaitAtLeast(harness.topics.parked().name(), ITEMS, WorkerHarness.TIMEOUT);
        List<ItemResult> before = harness.results(ITEMS);

        assertThat(before).hasSize(ITEMS).allSatisfy(r -> {
            assertThat(r.batchId()).isEqualTo("running");
            assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
        });
        assertThat(parked).hasSize(ITEMS).allSatisfy(record -> {
            assertThat(header(record, FanoutHeaders.BATCH_ID)).isEqualTo("paused");
            assertThat(header(record, FanoutHeaders.PARKED_CONTROL_OFFSET)).isEqualTo("0");
            assertThat(header(record, FanoutHeaders.ORIGIN_TOPIC)).endsWith("jobs.normal");
        });
        assertThat(worker.metrics().parked().getCount()).isEqualTo(ITEMS);

        harness.signal("paused", ControlSignal.Action.RESUME);

        List<ItemResult> after = harness.results(2 * ITEMS);
        assertThat(after).filteredOn(r -> r.batchId().equals("paused")).hasSize(ITEMS)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED))
                .extracting(ItemResult::index).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void cancellingAPausedBatchRecordsItsParkedItemsCancelledWhileAnotherBatchRuns() {
        harness.signal("doomed", ControlSignal.Action.PAUSE);
        harness.start(InstantSource.system(), 8, Map.of());
        publishInterleaved("doomed", "other");
        harness.records.awaitAtLeast(harness.topics.parked().name(), ITEMS, WorkerHarness.TIMEOUT);
        assertThat(harness.results(ITEMS)).allSatisfy(r -> assertThat(r.batchId()).isEqualTo("other"));

        harness.signal("doomed", ControlSignal.Action.CANCEL);

        List<ItemResult> doomed = harness.results(2 * ITEMS).stream()
                .filter(r -> r.batchId().equals("doomed")).toList();
        assertThat(doomed).hasSize(ITEMS).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.CANCELLED);
            assertThat(r.reason()).isEqualTo(FailureReason.CANCELLED);
            assertThat(r.error().message()).isEqualTo("test");
        });
        assertThat(harness.records.readAll(harness.topics.deadLetters().name())).isEmpty();
    }

    @Test
    void aResumeOfOneBatchRunsItsParkedItemsEvenBehindTheParkedItemsOfAStillPausedBatch() {
        harness.signal("first", ControlSignal.Action.PAUSE);
        harness.signal("second", ControlSignal.Action.PAUSE);
        harness.start(InstantSource.system(), 8, Map.of());
        publishInterleaved("first", "second");
        harness.records.awaitAtLeast(harness.topics.parked().name(), 2 * ITEMS, WorkerHarness.TIMEOUT);

        harness.signal("second", ControlSignal.Action.RESUME);

        List<ItemResult> results = harness.results(ITEMS);
        assertThat(results).hasSize(ITEMS).allSatisfy(r -> assertThat(r.batchId()).isEqualTo("second"));
        assertThat(harness.records.awaitAtLeast(harness.topics.parked().name(), 3 * ITEMS, WorkerHarness.TIMEOUT))
                .as("the first batch's items were parked again behind").hasSize(3 * ITEMS);
    }

    private void publishInterleaved(String one, String other) {
        for (int index = 0; index < ITEMS; index++) {
            harness.send(job(one, index, "echo", JsonNodeFactory.instance.objectNode().put("n", index), null),
                    index % 2);
            harness.send(job(other, index, "echo", JsonNodeFactory.instance.objectNode().put("n", index), null),
                    index % 2);
        }
    }
}
