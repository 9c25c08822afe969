package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counts that converge after an early decision (one settling revision once every item is accounted for), and
 * revisions coalesced per commit interval, under {@code TopologyTestDriver}.
 */
class SettlingTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant CREATED = NOW.minusSeconds(10);
    private static final BatchPolicy FAIL_FAST = BatchPolicy.of(Strategy.FAIL_FAST, 1.0,
            PartialFailurePolicy.CONTINUE);

    @TempDir
    Path stateDir;

    private TopologyHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private TopologyHarness start() {
        h = new TopologyHarness(stateDir, NOW);
        return h;
    }

    private long counter(String name) {
        return h.registry.counter(name).getCount();
    }

    private static ItemResult cancelled(String batchId, long index) {
        return Fixtures.unsuccessful(batchId, index, ItemStatus.CANCELLED, FailureReason.CANCELLED,
                new ItemError("Cancelled", "batch decided FAILED"), 0, CREATED, false);
    }

    @Test
    void aFailFastBatchOf2000DecidedAtItsOnlyFailureSettlesInExactlyOneMoreRevisionWithExactCounts() {
        start();
        h.define(Fixtures.sealed("ff", 2000, FAIL_FAST.withChaining(ChainTarget.of("next"),
                ChainTarget.of("alerts")), CREATED));
        for (int i = 0; i < 10; i++) {
            h.report(Fixtures.success("ff", i));
        }
        h.report(Fixtures.failure("ff", 10));

        BatchResult first = h.decisions.readValue();
        assertThat(first.revision()).isEqualTo(1);
        assertThat(first.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(first.settled()).isFalse();
        assertThat(first.finished()).isEqualTo(11);
        assertThat(h.control.readRecordsToList()).as("the cancel signal").hasSize(1);
        assertThat(h.topic("alerts").readRecordsToList()).as("onError, once").hasSize(1);

        for (int i = 11; i < 20; i++) {
            h.report(Fixtures.success("ff", i)); // running when the cancel arrived: they finish
        }
        for (int i = 20; i < 1000; i++) {
            h.report(cancelled("ff", i));
        }
        h.commit();
        assertThat(h.decisions.isEmpty()).as("1,000 items still outstanding: nothing to revise").isTrue();
        assertThat(h.queries().batch("ff").orElseThrow().finished()).as("live counts in the results API")
                .isEqualTo(1000);
        for (int i = 1000; i < 2000; i++) {
            h.report(cancelled("ff", i));
        }
        assertThat(h.decisions.isEmpty()).as("published at the commit, not per result").isTrue();

        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(settled.revision()).isEqualTo(2);
        assertThat(settled.settled()).isTrue();
        assertThat(settled.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(settled.total()).isEqualTo(2000);
        assertThat(settled.succeeded()).isEqualTo(19);
        assertThat(settled.cancelled()).isEqualTo(1980);
        assertThat(settled.timedOut()).isZero();
        assertThat(settled.failed()).as("failed includes the cancelled").isEqualTo(1 + 1980);
        assertThat(settled.succeeded() + (settled.failed() - settled.cancelled() - settled.timedOut())
                + settled.cancelled() + settled.timedOut()).isEqualTo(2000);
        assertThat(settled.deadLettered()).isEqualTo(1);
        assertThat(settled.reason()).isEqualTo("fail_fast: item 10 failed; revision 2 settles the batch: all 2000"
                + " items accounted for");
        assertThat(h.control.isEmpty()).as("no second cancel signal").isTrue();
        assertThat(h.topic("alerts").isEmpty()).as("chaining fired on the first decision only").isTrue();
        assertThat(h.topic("next").isEmpty()).isTrue();
        BatchView view = h.queries().batch("ff").orElseThrow();
        assertThat(view.cancelled()).isEqualTo(1980);
        assertThat(view.finished()).isEqualTo(2000);
        assertThat(view.decision()).isEqualTo(settled);
        assertThat(counter(AggregatorMetrics.BATCHES_DECIDED)).isEqualTo(2);
        assertThat(counter(AggregatorMetrics.BATCHES_SETTLED)).isEqualTo(1);
        assertThat(counter(AggregatorMetrics.CHAIN_EVENTS)).isEqualTo(1);
        assertThat(AggregatorMetrics.of(h.registry).batchSpeedup().bucketCounts())
                .as("the first decision's speed-up, not the revision's")
                .containsOnlyOnce(1L).containsOnly(0L, 1L);
        assertThat(AggregatorMetrics.of(h.registry).batchSpeedup().sum()).isEqualTo(first.speedup()).isPositive();

        h.report(cancelled("ff", 1999), Fixtures.success("ff", 5));
        h.commit();
        h.driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(h.decisions.isEmpty()).as("duplicates change nothing").isTrue();
        assertThat(h.revisionStore().approximateNumEntries()).isZero();
    }

    @Test
    void aDecisionMadeWhenEveryItemHadAResultIsSettledAtRevisionOneAndNeverRevised() {
        start();
        h.define(Fixtures.sealed("all", 2, BatchPolicy.ofDefaults(), CREATED));
        h.define(Fixtures.sealed("last", 3, FAIL_FAST, CREATED));
        h.report(Fixtures.success("all", 0), Fixtures.success("all", 1));
        h.report(Fixtures.success("last", 0), Fixtures.success("last", 1), Fixtures.failure("last", 2));

        assertThat(h.decisions.readValuesToList()).allSatisfy(decision -> {
            assertThat(decision.revision()).isEqualTo(1);
            assertThat(decision.settled()).isTrue();
        }).extracting(BatchResult::status).containsExactly(BatchStatus.SUCCEEDED, BatchStatus.FAILED);
        h.commit();
        h.driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(h.decisions.isEmpty()).isTrue();
        assertThat(counter(AggregatorMetrics.BATCHES_SETTLED)).isEqualTo(2);
    }

    @Test
    void aRaceSettlesWithItsWinnerAndItsStatusOnceTheCancelledRestIsCounted() {
        start();
        h.define(Fixtures.sealed("r", 4, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE)
                .withChaining(ChainTarget.of("won"), null), CREATED));
        h.report(Fixtures.failure("r", 0), Fixtures.success("r", 1, 10, CREATED,
                JsonNodeFactory.instance.textNode("first")));
        BatchResult first = h.decisions.readValue();
        assertThat(first.settled()).isFalse();

        h.report(Fixtures.success("r", 2), cancelled("r", 3));
        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(settled.revision()).isEqualTo(2);
        assertThat(settled.settled()).isTrue();
        assertThat(settled.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(settled.output().asText()).isEqualTo("first");
        assertThat(settled.succeeded()).isEqualTo(2);
        assertThat(settled.failed()).isEqualTo(2);
        assertThat(settled.cancelled()).isEqualTo(1);
        assertThat(h.topic("won").readRecordsToList()).as("onSuccess fired once").hasSize(1);
    }

    @Test
    void aTotalTimeoutDecisionKeepsItsStatusWhenTheLateResultsSettleIt() {
        start();
        h.define(Fixtures.sealed("slow", 3, new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), TotalTimeoutAction.COLLECT_PARTIAL), NOW));
        h.report(Fixtures.success("slow", 0));
        h.driver.advanceWallClockTime(Duration.ofSeconds(31));
        BatchResult first = h.decisions.readValue();
        assertThat(first.status()).isEqualTo(BatchStatus.PARTIAL);
        assertThat(first.settled()).isFalse();

        h.report(Fixtures.success("slow", 1), cancelled("slow", 2));
        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(settled.status()).as("late results do not change the decision").isEqualTo(BatchStatus.PARTIAL);
        assertThat(settled.settled()).isTrue();
        assertThat(settled.succeeded()).isEqualTo(2);
        assertThat(settled.cancelled()).isEqualTo(1);
        assertThat(settled.reason()).isEqualTo("totalTimeout 30s passed with 1 of 3 items finished;"
                + " onTotalTimeout=collect_partial; revision 2 settles the batch: all 3 items accounted for");
    }

    @Test
    void anUnreachableMinSuccessRateDecidesEarlyAndTheItemsThatStillRunSettleItLater() {
        start();
        h.define(Fixtures.sealed("w", 4, BatchPolicy.of(Strategy.WAIT_ALL, 0.75, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.failure("w", 0), Fixtures.failure("w", 1));
        BatchResult first = h.decisions.readValue();
        assertThat(first.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(first.settled()).isFalse();
        assertThat(h.control.isEmpty()).as("no cancel: the rest runs").isTrue();

        h.report(Fixtures.success("w", 2));
        h.commit();
        assertThat(h.decisions.isEmpty()).isTrue();
        h.report(Fixtures.success("w", 3));
        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(settled.settled()).isTrue();
        assertThat(settled.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(settled.succeeded()).isEqualTo(2);
        assertThat(settled.failed()).isEqualTo(2);
    }

    @Test
    void aBatchDecidedBeforeItWasSealedSettlesWhenTheSealedDefinitionFindsEveryItemCounted() {
        start();
        h.define(Fixtures.open("open", FAIL_FAST, CREATED));
        h.report(Fixtures.failure("open", 0), cancelled("open", 1), cancelled("open", 2));
        assertThat(h.decisions.readValue().settled()).isFalse();
        h.commit();
        assertThat(h.decisions.isEmpty()).as("the total is not known yet").isTrue();

        h.define(Fixtures.sealed("open", 3, FAIL_FAST, CREATED));
        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(settled.settled()).isTrue();
        assertThat(settled.total()).isEqualTo(3);
        assertThat(settled.cancelled()).isEqualTo(2);
    }

    @Test
    void fiftyReplayedItemsReadWithinOneCommitMakeOneRevisionAndTheNextCommitsReplaysAnother() {
        start();
        h.define(Fixtures.sealed("b", 100, BatchPolicy.of(Strategy.WAIT_ALL, 0.2, PartialFailurePolicy.CONTINUE)
                .withChaining(ChainTarget.of("next"), ChainTarget.of("alerts")), CREATED));
        for (int i = 0; i < 100; i++) {
            h.report(i < 40 ? Fixtures.success("b", i) : Fixtures.failure("b", i));
        }
        BatchResult first = h.decisions.readValue();
        assertThat(first.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(first.settled()).isTrue();
        assertThat(h.topic("next").readRecordsToList()).hasSize(1);

        for (int i = 40; i < 90; i++) {
            h.report(Fixtures.replayed(Fixtures.success("b", i), i));
        }
        assertThat(h.decisions.isEmpty()).isTrue();
        h.commit();

        assertThat(h.decisions.readValuesToList()).singleElement().satisfies(revised -> {
            assertThat(revised.revision()).isEqualTo(2);
            assertThat(revised.succeeded()).isEqualTo(90);
            assertThat(revised.failed()).isEqualTo(10);
            assertThat(revised.deadLettered()).isEqualTo(10);
            assertThat(revised.settled()).isTrue();
        });
        assertThat(counter(AggregatorMetrics.REPLAYS)).isEqualTo(50);

        for (int i = 90; i < 100; i++) {
            h.report(Fixtures.replayed(Fixtures.success("b", i), i));
        }
        h.commit();

        assertThat(h.decisions.readValuesToList()).singleElement().satisfies(revised -> {
            assertThat(revised.revision()).isEqualTo(3);
            assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(revised.succeeded()).isEqualTo(100);
        });
        assertThat(h.topic("next").isEmpty()).as("the revisions stay on the success side").isTrue();
        assertThat(h.topic("alerts").isEmpty()).isTrue();
        assertThat(counter(AggregatorMetrics.BATCHES_DECIDED)).isEqualTo(3);
    }
}
