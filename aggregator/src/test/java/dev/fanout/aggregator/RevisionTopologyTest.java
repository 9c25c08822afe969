package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchResult.ErrorCount;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch revisions after dead-letter replays, under {@code TopologyTestDriver}. */
class RevisionTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant CREATED = NOW.minusSeconds(10);
    private static final BatchPolicy HALF = BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.CONTINUE);

    @TempDir
    Path stateDir;

    private TopologyHarness h;

    private TopologyHarness start() {
        h = new TopologyHarness(stateDir, NOW);
        return h;
    }

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private ItemOutcome item(String batchId, long index) {
        return h.itemStore().get(new ItemKey(batchId, index).asString());
    }

    private long counter(String name) {
        return h.registry.counter(name).getCount();
    }

    @Test
    void aReplayThatSucceedsRevisesTheDecidedBatchWithCorrectedCountsAndTheNextRevision() {
        start();
        h.define(Fixtures.sealed("b", 3, HALF, CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1), Fixtures.success("b", 2));
        BatchResult first = h.decisions.readValue();
        assertThat(first.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(first.revision()).isEqualTo(1);
        assertThat(first.deadLettered()).isEqualTo(1);

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.total()).isEqualTo(3);
        assertThat(revised.succeeded()).isEqualTo(3);
        assertThat(revised.failed()).isZero();
        assertThat(revised.deadLettered()).isZero();
        assertThat(revised.successRate()).isEqualTo(1.0);
        assertThat(revised.errors()).isEmpty();
        assertThat(revised.reason()).isEqualTo("revision 2 after dead-letter replays");
        assertThat(revised.decidedAt()).as("made by the revision punctuation").isEqualTo(
                NOW.plus(AggregatorConfig.DEFAULT_COMMIT_INTERVAL));
        assertThat(first.settled()).as("every item had a result").isTrue();
        assertThat(revised.settled()).isTrue();
        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(item("b", 1).status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(item("b", 1).replayOf()).isEqualTo("t.dlq/0/7");
        assertThat(item("b", 1).errorType()).isNull();
        assertThat(h.batchStore().get("b").decision()).isEqualTo(revised);
        assertThat(h.queries().batch("b").orElseThrow().decision().revision()).isEqualTo(2);
        assertThat(counter(AggregatorMetrics.REPLAYS)).isEqualTo(1);
        assertThat(counter(AggregatorMetrics.BATCHES_DECIDED)).isEqualTo(2);
        assertThat(h.queries().item("b", "item-1").orElseThrow().replayOf()).isEqualTo("t.dlq/0/7");
    }

    @Test
    void aDuplicateOfAReplayResultAndASecondReplayOfAnItemThatSucceededPublishNoFurtherRevision() {
        start();
        h.define(Fixtures.sealed("b", 2, HALF, CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1));
        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();
        assertThat(h.decisions.readValuesToList()).extracting(BatchResult::revision).containsExactly(1, 2);

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.report(Fixtures.replayed(Fixtures.success("b", 1), 8));
        h.report(Fixtures.replayed(Fixtures.failure("b", 1), 9));
        h.report(Fixtures.replayed(Fixtures.success("b", 0), 3));
        h.commit();

        assertThat(h.decisions.isEmpty()).isTrue();
        BatchState state = h.batchStore().get("b");
        assertThat(state.succeeded()).isEqualTo(2);
        assertThat(state.unsuccessful()).isZero();
        assertThat(state.revision()).isEqualTo(2);
        assertThat(item("b", 1).replayOf()).isEqualTo("t.dlq/0/7");
        assertThat(counter(AggregatorMetrics.REPLAYS)).isEqualTo(1);
        assertThat(counter(AggregatorMetrics.DUPLICATES)).isEqualTo(4);
    }

    @Test
    void aReplayThatFailsAgainUpdatesTheStoredErrorButChangesNoCountsAndPublishesNoRevision() {
        start();
        h.define(Fixtures.sealed("b", 2, HALF, CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1));
        assertThat(h.decisions.readValue().errors())
                .containsExactly(new ErrorCount("java.lang.IllegalStateException", 1, "boom 1"));

        h.report(Fixtures.replayed(Fixtures.unsuccessful("b", 1, ItemStatus.TIMED_OUT, FailureReason.TIMEOUT,
                new ItemError("java.util.concurrent.TimeoutException", "still slow"), 30, CREATED, true), 7));
        h.commit();

        assertThat(h.decisions.isEmpty()).isTrue();
        ItemOutcome outcome = item("b", 1);
        assertThat(outcome.status()).as("the status it was counted with").isEqualTo(ItemStatus.FAILED);
        assertThat(outcome.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
        assertThat(outcome.errorType()).isEqualTo("java.util.concurrent.TimeoutException");
        assertThat(outcome.errorMessage()).isEqualTo("still slow");
        assertThat(outcome.replayOf()).isEqualTo("t.dlq/0/7");
        BatchState state = h.batchStore().get("b");
        assertThat(state.succeeded()).isEqualTo(1);
        assertThat(state.unsuccessful()).isEqualTo(1);
        assertThat(state.timedOut()).isZero();
        assertThat(state.deadLettered()).isEqualTo(1);
        assertThat(state.errors().top())
                .containsExactly(new ErrorCount("java.util.concurrent.TimeoutException", 1, "still slow"));
        assertThat(counter(AggregatorMetrics.REPLAYS)).isZero();

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 8));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(revised.failed()).isZero();
        assertThat(revised.errors()).isEmpty();
    }

    @Test
    void aReplayThatSucceedsBeforeTheDecisionCountsTowardTheFirstDecision() {
        start();
        h.define(Fixtures.sealed("b", 2, BatchPolicy.of(Strategy.BEST_EFFORT, 0.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.failure("b", 0));
        h.report(Fixtures.replayed(Fixtures.success("b", 0), 7));
        assertThat(h.decisions.isEmpty()).isTrue();

        h.report(Fixtures.success("b", 1));

        BatchResult decision = h.decisions.readValue();
        assertThat(decision.revision()).isEqualTo(1);
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(decision.succeeded()).isEqualTo(2);
        assertThat(decision.failed()).isZero();
        assertThat(decision.deadLettered()).isZero();
        assertThat(decision.reason()).isNull();
        assertThat(h.decisions.isEmpty()).isTrue();
    }

    @Test
    void aReplayForAnItemNeverSeenIsCountedWhileItsBatchHasItemsWithoutAResult() {
        start();
        h.define(Fixtures.sealed("b", 2, BatchPolicy.of(Strategy.BEST_EFFORT, 0.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        assertThat(item("b", 1).replayOf()).isEqualTo("t.dlq/0/7");

        h.report(Fixtures.success("b", 0));

        BatchResult decision = h.decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(decision.succeeded()).isEqualTo(2);
        assertThat(counter(AggregatorMetrics.REPLAYS)).isEqualTo(1);
    }

    @Test
    void aReplayForAnItemNeverSeenIsIgnoredWhenItsBatchIsUnknownOrHasEveryItemCounted() {
        start();
        h.define(Fixtures.sealed("b", 1, BatchPolicy.ofDefaults(), CREATED));
        h.report(Fixtures.failure("b", 0));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);

        h.report(Fixtures.replayed(Fixtures.success("b", 5), 7));
        h.report(Fixtures.replayed(Fixtures.success("unknown", 0), 8));
        h.commit();

        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(item("b", 5)).isNull();
        assertThat(h.batchStore().get("b").tally().finished()).isEqualTo(1);
        assertThat(h.batchStore().get("unknown")).isNull();
        assertThat(item("unknown", 0)).isNull();
        assertThat(counter(AggregatorMetrics.DUPLICATES)).isEqualTo(2);
        assertThat(counter(AggregatorMetrics.REPLAYS)).isZero();
    }

    @Test
    void aReplayResultForABatchWhoseItemsWereRemovedAfterTheRetentionIsIgnored() {
        h = new TopologyHarness(stateDir, NOW, Duration.ofMinutes(10), 100, ChainTopics.ASSUME_EXISTING);
        h.define(Fixtures.sealed("old", 2, BatchPolicy.ofDefaults(), CREATED));
        h.report(Fixtures.success("old", 0), Fixtures.failure("old", 1));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);
        h.driver.advanceWallClockTime(Duration.ofMinutes(11));
        assertThat(h.batchStore().get("old").itemsRemoved()).isTrue();

        h.report(Fixtures.replayed(Fixtures.success("old", 1), 7));
        h.commit();

        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(item("old", 1)).isNull();
        assertThat(h.batchStore().get("old").unsuccessful()).isEqualTo(1);
        assertThat(counter(AggregatorMetrics.DUPLICATES)).isEqualTo(1);
    }

    @Test
    void aRevisionFiresTheOnSuccessTargetWhenItTurnsAFailedBatchSuccessfulAndNeverAgainTheTargetThatFired() {
        start();
        BatchPolicy policy = BatchPolicy.ofDefaults()
                .withChaining(ChainTarget.of("next-step"), ChainTarget.of("alerts"));
        h.define(Fixtures.sealed("b", 3, policy, CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1), Fixtures.failure("b", 2));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);
        assertThat(h.topic("alerts").readRecordsToList()).hasSize(1);

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();
        assertThat(h.decisions.readValue().status()).as("still a failure left").isEqualTo(BatchStatus.FAILED);
        assertThat(h.topic("alerts").isEmpty()).as("onError already fired for this batch").isTrue();

        h.report(Fixtures.replayed(Fixtures.success("b", 2), 8));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(revised.revision()).isEqualTo(3);
        TestRecord<String, byte[]> event = h.topic("next-step").readRecord();
        assertThat(event.key()).isEqualTo("b");
        assertThat(FanoutHeaders.text(event.headers(), FanoutHeaders.BATCH_REVISION)).contains("3");
        assertThat(FanoutHeaders.text(event.headers(), FanoutHeaders.CHAIN_TRIGGER)).contains("onSuccess");
        assertThat(h.topic("next-step").isEmpty()).isTrue();
        assertThat(h.topic("alerts").isEmpty()).isTrue();
        assertThat(counter(AggregatorMetrics.CHAIN_EVENTS)).isEqualTo(2);
    }

    @Test
    void aRevisionThatStaysOnTheSuccessSideFiresNoSecondOnSuccessEvent() {
        start();
        h.define(Fixtures.sealed("b", 2, HALF.withChaining(ChainTarget.of("next-step"), null), CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(h.topic("next-step").readRecordsToList()).hasSize(1);

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();

        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(h.topic("next-step").isEmpty()).isTrue();
    }

    @Test
    void aFailFastRevisionSendsNoSecondCancelSignalAndStaysFailedWhileCancelledItemsCountAsFailures() {
        start();
        h.define(Fixtures.sealed("ff", 3, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.failure("ff", 0));
        assertThat(h.decisions.readValue().reason()).isEqualTo("fail_fast: item 0 failed");
        assertThat(h.control.readRecordsToList()).hasSize(1);
        h.report(Fixtures.unsuccessful("ff", 1, ItemStatus.CANCELLED, FailureReason.CANCELLED, null, 0, CREATED,
                false));
        h.report(Fixtures.unsuccessful("ff", 2, ItemStatus.CANCELLED, FailureReason.CANCELLED, null, 0, CREATED,
                false));

        h.report(Fixtures.replayed(Fixtures.success("ff", 0), 7));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(revised.succeeded()).isEqualTo(1);
        assertThat(revised.failed()).isEqualTo(2);
        assertThat(revised.cancelled()).isEqualTo(2);
        assertThat(revised.reason()).isEqualTo("fail_fast: item 1 failed; revision 2 after dead-letter replays");
        assertThat(revised.settled()).as("the cancelled items and the replay in one revision").isTrue();
        assertThat(h.control.isEmpty()).isTrue();
        assertThat(counter(AggregatorMetrics.CANCELS)).isEqualTo(1);
    }

    @Test
    void aRevisionTheRevisedCountsCannotDecideYetWaitsForTheRestOfTheBatch() {
        start();
        h.define(Fixtures.sealed("b", 3, BatchPolicy.ofDefaults(), CREATED));
        h.report(Fixtures.failure("b", 0));
        assertThat(h.decisions.readValue().reason()).startsWith("wait_all: minSuccessRate 1 can no longer be"
                + " reached");

        h.report(Fixtures.replayed(Fixtures.success("b", 0), 7));
        h.commit();
        h.report(Fixtures.success("b", 1));
        h.commit();
        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(h.batchStore().get("b").revisionDue()).isTrue();

        h.report(Fixtures.success("b", 2));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(revised.succeeded()).isEqualTo(3);
        assertThat(revised.settled()).isTrue();
        assertThat(h.batchStore().get("b").revisionDue()).isFalse();
        assertThat(h.decisions.isEmpty()).isTrue();
    }

    @Test
    void aWaitingRevisionIsDecidedByTheTotalTimeoutWhenTheRestOfTheBatchNeverArrives() {
        start();
        h.define(Fixtures.sealed("b", 3, new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), TotalTimeoutAction.COLLECT_PARTIAL), NOW));
        h.report(Fixtures.failure("b", 0));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);
        h.report(Fixtures.replayed(Fixtures.success("b", 0), 7));
        h.commit();
        assertThat(h.decisions.isEmpty()).isTrue();

        h.driver.advanceWallClockTime(Duration.ofSeconds(31));

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.status()).isEqualTo(BatchStatus.PARTIAL);
        assertThat(revised.succeeded()).isEqualTo(1);
        assertThat(revised.failed()).isZero();
        assertThat(h.control.readRecordsToList()).as("a revision sends no cancel signal").isEmpty();
        h.driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(h.decisions.isEmpty()).isTrue();
    }

    @Test
    void aReplayAfterTheTotalTimeoutRevisesWithTheTimeoutsVerdictAtTheNextCommit() {
        start();
        h.define(Fixtures.sealed("b", 3, new BatchPolicy(Strategy.BEST_EFFORT, 0.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), TotalTimeoutAction.FAIL), NOW));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1));
        h.driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertThat(h.decisions.readValue().status()).isEqualTo(BatchStatus.FAILED);

        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();

        BatchResult revised = h.decisions.readValue();
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(revised.succeeded()).isEqualTo(2);
        assertThat(revised.reason()).isEqualTo("totalTimeout 30s passed with 2 of 3 items finished;"
                + " onTotalTimeout=fail; revision 2 after dead-letter replays");
    }

    @Test
    void aRevisionPutsOffTheRemovalOfTheBatchsItemsToItemRetentionAfterIt() {
        h = new TopologyHarness(stateDir, NOW, Duration.ofMinutes(10), 100, ChainTopics.ASSUME_EXISTING);
        h.define(Fixtures.sealed("b", 2, HALF, CREATED));
        h.report(Fixtures.success("b", 0), Fixtures.failure("b", 1));
        h.driver.advanceWallClockTime(Duration.ofMinutes(5));
        h.report(Fixtures.replayed(Fixtures.success("b", 1), 7));
        h.commit();
        assertThat(h.decisions.readValuesToList()).extracting(BatchResult::revision).containsExactly(1, 2);

        h.driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertThat(h.batchStore().get("b").itemsRemoved()).isFalse();
        assertThat(item("b", 1)).isNotNull();

        h.driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertThat(h.batchStore().get("b").itemsRemoved()).isTrue();
    }
}
