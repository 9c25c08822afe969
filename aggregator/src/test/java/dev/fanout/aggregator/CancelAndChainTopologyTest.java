package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CancelAndChainTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant CREATED = NOW.minusSeconds(10);

    @TempDir
    Path stateDir;

    private TopologyHarness harness;

    private TopologyHarness start() {
        harness = new TopologyHarness(stateDir, NOW);
        return harness;
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private static ControlSignal signal(TestRecord<String, byte[]> record) {
        return Envelopes.decode(record.value(), ControlSignal.class);
    }

    @Test
    void failFastPublishesOneCancelSignalKeyedByTheBatchWhileItemsAreStillRunning() {
        TopologyHarness h = start();
        h.define(Fixtures.sealed("ff", 5, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.success("ff", 0), Fixtures.failure("ff", 3), Fixtures.failure("ff", 4));

        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);
        assertThat(h.control.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("ff");
            assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID)).contains("ff");
            ControlSignal signal = signal(record);
            assertThat(signal.action()).isEqualTo(ControlSignal.Action.CANCEL);
            assertThat(signal.batchId()).isEqualTo("ff");
            assertThat(signal.reason()).isEqualTo("batch decided FAILED: fail_fast: item 3 failed");
            assertThat(signal.at()).isEqualTo(NOW);
        });
        assertThat(h.registry.counter(AggregatorMetrics.CANCELS).getCount()).isEqualTo(1);
    }

    @Test
    void raceCancelsTheRestOnceItsWinnerIsKnownAndLaterResultsAreStoredWithoutANewDecision() {
        TopologyHarness h = start();
        h.define(Fixtures.open("r", BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE), CREATED));
        h.report(Fixtures.failure("r", 0), Fixtures.success("r", 1), Fixtures.success("r", 2));

        assertThat(h.decisions.readRecordsToList()).singleElement()
                .satisfies(record -> assertThat(record.value().status()).isEqualTo(BatchStatus.SUCCEEDED));
        assertThat(signal(h.control.readRecord()).reason()).isEqualTo("batch decided SUCCEEDED: race: item 1"
                + " succeeded first");
        assertThat(h.control.isEmpty()).isTrue();
        assertThat(h.itemStore().get(new ItemKey("r", 2).asString())).isNotNull();
    }

    @ParameterizedTest
    @CsvSource({"CANCEL, true", "COLLECT_PARTIAL, true", "FAIL, false"})
    void aTotalTimeoutCancelsTheRestForCancelAndCollectPartialOnly(TotalTimeoutAction action, boolean cancels) {
        TopologyHarness h = start();
        h.define(Fixtures.sealed("slow", 3, new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), action), NOW));
        h.report(Fixtures.success("slow", 0));

        h.driver.advanceWallClockTime(Duration.ofSeconds(31));

        assertThat(h.decisions.readValue().succeeded()).isEqualTo(1);
        assertThat(h.control.getQueueSize()).isEqualTo(cancels ? 1 : 0);
    }

    @Test
    void aBatchDecidedWhenEveryItemHadFinishedSendsNoCancelSignal() {
        TopologyHarness h = start();
        h.define(Fixtures.sealed("done", 2, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.define(Fixtures.sealed("race", 2, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.success("done", 0), Fixtures.success("done", 1));
        h.report(Fixtures.failure("race", 0), Fixtures.failure("race", 1));

        assertThat(h.decisions.readValuesToList()).extracting(BatchResult::status)
                .containsExactly(BatchStatus.SUCCEEDED, BatchStatus.FAILED);
        assertThat(h.control.isEmpty()).isTrue();
    }

    @Test
    void anOnSuccessEventIsRenderedOverTheDecidedBatchAndPublishedToItsTopic() {
        TopologyHarness h = start();
        Map<String, String> with = new LinkedHashMap<>();
        with.put("results", "{{ .output }}");
        with.put("failed", "{{ .failed_tasks }}");
        with.put("took", "{{ .execution.duration }}");
        with.put("summary", "{{ .succeeded }} of {{ .total }} ok");
        BatchPolicy policy = BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.COLLECT)
                .withChaining(new ChainTarget("next-step", with), ChainTarget.of("alerts"));
        h.define(Fixtures.sealed("c1", 3, policy, NOW.minusMillis(1500)));
        h.report(Fixtures.success("c1", 2, 10, NOW.minusSeconds(1), JsonNodeFactory.instance.objectNode().put("v", 2)),
                Fixtures.unsuccessful("c1", 1, ItemStatus.FAILED, FailureReason.HANDLER_ERROR,
                        new ItemError("java.lang.IllegalStateException", "boom 1"), 10, NOW.minusSeconds(1), true),
                Fixtures.success("c1", 0, 10, NOW.minusSeconds(1), JsonNodeFactory.instance.objectNode().put("v", 0)));

        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        TestRecord<String, byte[]> record = h.topic("next-step").readRecord();
        assertThat(record.key()).isEqualTo("c1");
        assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.CHAIN_TRIGGER)).contains("onSuccess");
        assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_STATUS))
                .contains("SUCCEEDED_WITH_FAILURES");
        JsonNode event = readTree(record.value());
        assertThat(event.fieldNames()).toIterable().containsExactly("results", "failed", "took", "summary");
        assertThat(event.get("results").toString()).isEqualTo(
                "[{\"itemId\":\"item-0\",\"index\":0,\"output\":{\"v\":0}},"
                        + "{\"itemId\":\"item-2\",\"index\":2,\"output\":{\"v\":2}}]");
        assertThat(event.get("failed").toString()).isEqualTo("[{\"itemId\":\"item-1\",\"index\":1,"
                + "\"status\":\"FAILED\",\"reason\":\"HANDLER_ERROR\",\"error\":{\"type\":"
                + "\"java.lang.IllegalStateException\",\"message\":\"boom 1\"}}]");
        assertThat(event.get("took").asText()).isEqualTo("PT1.5S");
        assertThat(event.get("summary").asText()).isEqualTo("2 of 3 ok");
        assertThat(h.topic("alerts").isEmpty()).isTrue();
        assertThat(h.registry.counter(AggregatorMetrics.CHAIN_EVENTS).getCount()).isEqualTo(1);
    }

    @Test
    void anOnErrorTargetWithoutTemplatesReceivesTheBatchResultItself() {
        TopologyHarness h = start();
        BatchPolicy policy = BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE)
                .withChaining(ChainTarget.of("next-step"), ChainTarget.of("alerts"));
        h.define(Fixtures.sealed("e1", 4, policy, CREATED));
        h.report(Fixtures.failure("e1", 2));

        BatchResult event = Envelopes.decode(h.topic("alerts").readValue(), BatchResult.class);
        assertThat(event.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(event.failed()).isEqualTo(1);
        assertThat(h.topic("next-step").isEmpty()).isTrue();
    }

    @Test
    void aChainTopicThatCannotBeCreatedLeavesTheDecisionInPlaceAndIsCounted() {
        harness = new TopologyHarness(stateDir, NOW, AggregatorConfig.DEFAULT_ITEM_RETENTION, 10, topic -> false);
        BatchPolicy policy = BatchPolicy.ofDefaults().withChaining(ChainTarget.of("forbidden"), null);
        harness.define(Fixtures.sealed("x", 1, policy, CREATED));
        harness.report(Fixtures.success("x", 0));

        assertThat(harness.decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(harness.topic("forbidden").isEmpty()).isTrue();
        assertThat(harness.registry.counter(AggregatorMetrics.CHAIN_FAILURES).getCount()).isEqualTo(1);
    }

    @Test
    void decidedBatchesLoseTheirItemsAfterTheRetentionInBoundedChunksAndTheirCancelSignalIsWithdrawn() {
        harness = new TopologyHarness(stateDir, NOW, Duration.ofMinutes(10), 3, ChainTopics.ASSUME_EXISTING);
        TopologyHarness h = harness;
        h.define(Fixtures.sealed("old", 8, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        for (int i = 0; i < 5; i++) {
            h.report(Fixtures.success("old", i));
        }
        h.report(Fixtures.failure("old", 5));
        h.define(Fixtures.open("live", BatchPolicy.ofDefaults(), CREATED));
        h.report(Fixtures.success("live", 0));
        assertThat(h.control.readRecordsToList()).hasSize(1);

        h.driver.advanceWallClockTime(Duration.ofMinutes(9));
        assertThat(h.queries().items("old", null, -1, 100).items()).hasSize(6);

        h.driver.advanceWallClockTime(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(h.queries().items("old", null, -1, 100).items()).extracting(view -> view.index())
                .containsExactly(3L, 4L, 5L);
        assertThat(h.batchStore().get("old").itemsRemoved()).isFalse();
        assertThat(h.control.isEmpty()).isTrue();

        h.driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(h.queries().items("old", null, -1, 100).items()).isEmpty();
        assertThat(h.batchStore().get("old").itemsRemoved()).isTrue();
        assertThat(h.itemIdStore().get("old/item-5")).isNull();
        assertThat(h.queries().items("live", null, -1, 100).items()).hasSize(1);
        assertThat(h.control.readRecordsToList()).singleElement().satisfies(tombstone -> {
            assertThat(tombstone.key()).isEqualTo("old");
            assertThat(tombstone.value()).isNull();
        });
        assertThat(h.registry.counter(AggregatorMetrics.ITEMS_EXPIRED).getCount()).isEqualTo(6);

        h.report(Fixtures.success("old", 6));
        assertThat(h.itemStore().get(new ItemKey("old", 6).asString())).isNull();
        assertThat(h.batchStore().get("old").tally().finished()).isEqualTo(6);
    }

    private static JsonNode readTree(byte[] value) {
        try {
            return Envelopes.mapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
