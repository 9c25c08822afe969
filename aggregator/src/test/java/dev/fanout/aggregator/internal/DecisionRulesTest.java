package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.aggregator.Fixtures;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DecisionRulesTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private static BatchDefinition sealed(long total, Strategy strategy, double minSuccessRate,
            PartialFailurePolicy onPartialFailure) {
        return Fixtures.sealed("b", total, BatchPolicy.of(strategy, minSuccessRate, onPartialFailure), CREATED);
    }

    private static BatchDefinition sealed(long total, Strategy strategy) {
        return sealed(total, strategy, 1.0, PartialFailurePolicy.CONTINUE);
    }

    private static BatchDefinition open(Strategy strategy, double minSuccessRate) {
        return Fixtures.open("b", BatchPolicy.of(strategy, minSuccessRate, PartialFailurePolicy.CONTINUE), CREATED);
    }

    private static Tally tally(long succeeded, long unsuccessful) {
        return new Tally(succeeded, unsuccessful, unsuccessful > 0 ? 7L : null, succeeded > 0 ? 3L : null);
    }

    @Test
    void failFastNamesTheFailedCountWhenNoFailedItemIsKnownByIndexAnyMore() {
        assertThat(DecisionRules.evaluate(sealed(400, Strategy.FAIL_FAST), new Tally(10, 150, null, 3L)))
                .contains(new Verdict(BatchStatus.FAILED, "fail_fast: 150 items failed"));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aBatchWithoutADefinitionIsNeverDecided(Strategy strategy) {
        assertThat(DecisionRules.evaluate(null, tally(5, 5))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aSealedBatchOfNoItemsSucceedsAtOnce(Strategy strategy) {
        assertThat(DecisionRules.evaluate(sealed(0, strategy), tally(0, 0)))
                .contains(new Verdict(BatchStatus.SUCCEEDED, null));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aSealedBatchWhoseItemsAllSucceededSucceeds(Strategy strategy) {
        Optional<Verdict> verdict = DecisionRules.evaluate(sealed(4, strategy), tally(4, 0));
        assertThat(verdict).map(Verdict::status).contains(BatchStatus.SUCCEEDED);
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"WAIT_ALL", "BEST_EFFORT"})
    void waitingStrategiesNeverDecideAnUnsealedBatchEvenWhenEverythingSeenFinished(Strategy strategy) {
        assertThat(DecisionRules.evaluate(open(strategy, 0.0), tally(10, 0))).isEmpty();
        assertThat(DecisionRules.evaluate(open(strategy, 1.0), tally(3, 7))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"WAIT_ALL", "BEST_EFFORT"})
    void waitingStrategiesWaitWhileItemsAreStillRunning(Strategy strategy) {
        assertThat(DecisionRules.evaluate(sealed(10, strategy, 0.0, PartialFailurePolicy.CONTINUE), tally(5, 4)))
                .isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "WAIT_ALL, CONTINUE, SUCCEEDED_WITH_FAILURES",
            "WAIT_ALL, COLLECT, SUCCEEDED_WITH_FAILURES",
            "WAIT_ALL, FAIL, FAILED",
            "BEST_EFFORT, CONTINUE, SUCCEEDED_WITH_FAILURES",
            "BEST_EFFORT, COLLECT, SUCCEEDED_WITH_FAILURES",
            "BEST_EFFORT, FAIL, FAILED"})
    void aFinishedBatchThatMetItsMinimumWithFailuresIsDecidedByOnPartialFailure(Strategy strategy,
            PartialFailurePolicy onPartialFailure, BatchStatus expected) {
        Optional<Verdict> verdict =
                DecisionRules.evaluate(sealed(10, strategy, 0.7, onPartialFailure), tally(7, 3));

        assertThat(verdict).map(Verdict::status).contains(expected);
        assertThat(verdict).map(Verdict::reason).get().asString()
                .contains("3 of 10 items failed").contains("onPartialFailure=" + onPartialFailure.id());
    }

    @ParameterizedTest
    @EnumSource(value = Strategy.class, names = {"WAIT_ALL", "BEST_EFFORT"})
    void aFinishedBatchBelowItsMinimumSuccessRateFails(Strategy strategy) {
        Optional<Verdict> verdict =
                DecisionRules.evaluate(sealed(10, strategy, 0.8, PartialFailurePolicy.CONTINUE), tally(7, 3));

        assertThat(verdict).map(Verdict::status).contains(BatchStatus.FAILED);
        assertThat(verdict).map(Verdict::reason).get().asString()
                .isEqualTo("successRate 0.7 is below minSuccessRate 0.8 (3 of 10 items failed)");
    }

    @Test
    void waitAllFailsEarlyOnceTheMinimumSuccessRateIsOutOfReach() {
        BatchDefinition definition = sealed(10, Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.CONTINUE);

        assertThat(DecisionRules.evaluate(definition, tally(1, 5))).isEmpty();
        Optional<Verdict> verdict = DecisionRules.evaluate(definition, tally(1, 6));

        assertThat(verdict).contains(new Verdict(BatchStatus.FAILED,
                "wait_all: minSuccessRate 0.5 can no longer be reached (6 of 10 items failed)"));
    }

    @Test
    void waitAllWithTheDefaultMinimumFailsAtTheFirstFailureOfASealedBatch() {
        assertThat(DecisionRules.evaluate(sealed(10, Strategy.WAIT_ALL), tally(2, 1)))
                .map(Verdict::status).contains(BatchStatus.FAILED);
    }

    @Test
    void waitAllDoesNotFailEarlyBeforeTheBatchIsSealed() {
        assertThat(DecisionRules.evaluate(open(Strategy.WAIT_ALL, 1.0), tally(2, 1))).isEmpty();
    }

    @Test
    void bestEffortNeverFailsEarlyEvenWhenTheMinimumIsOutOfReach() {
        assertThat(DecisionRules.evaluate(sealed(10, Strategy.BEST_EFFORT), tally(1, 6))).isEmpty();
        assertThat(DecisionRules.evaluate(sealed(10, Strategy.BEST_EFFORT), tally(1, 9)))
                .map(Verdict::status).contains(BatchStatus.FAILED);
    }

    @Test
    void aSuccessRateExactlyAtTheMinimumMeetsIt() {
        assertThat(DecisionRules.evaluate(sealed(10, Strategy.WAIT_ALL, 0.7, PartialFailurePolicy.CONTINUE),
                tally(7, 3))).map(Verdict::status).contains(BatchStatus.SUCCEEDED_WITH_FAILURES);
    }

    @Test
    void failFastFailsAtTheFirstFailureEvenBeforeTheBatchIsSealed() {
        assertThat(DecisionRules.evaluate(open(Strategy.FAIL_FAST, 0.0), tally(3, 1)))
                .contains(new Verdict(BatchStatus.FAILED, "fail_fast: item 7 failed"));
    }

    @Test
    void failFastWaitsForEveryItemWhileNothingFailed() {
        assertThat(DecisionRules.evaluate(sealed(5, Strategy.FAIL_FAST), tally(4, 0))).isEmpty();
        assertThat(DecisionRules.evaluate(open(Strategy.FAIL_FAST, 1.0), tally(4, 0))).isEmpty();
    }

    @Test
    void raceSucceedsAtTheFirstSuccessEvenBeforeTheBatchIsSealed() {
        assertThat(DecisionRules.evaluate(open(Strategy.RACE, 1.0), tally(1, 4)))
                .contains(new Verdict(BatchStatus.SUCCEEDED, "race: item 3 succeeded first"));
    }

    @Test
    void raceFailsOnlyWhenEveryItemOfTheSealedBatchFailed() {
        assertThat(DecisionRules.evaluate(sealed(5, Strategy.RACE), tally(0, 4))).isEmpty();
        assertThat(DecisionRules.evaluate(open(Strategy.RACE, 1.0), tally(0, 5))).isEmpty();
        assertThat(DecisionRules.evaluate(sealed(5, Strategy.RACE), tally(0, 5)))
                .contains(new Verdict(BatchStatus.FAILED, "race: all 5 items failed"));
    }

    @ParameterizedTest
    @CsvSource({"COLLECT_PARTIAL, PARTIAL", "FAIL, FAILED", "CANCEL, CANCELLED"})
    void aPassedTotalTimeoutIsDecidedByOnTotalTimeout(TotalTimeoutAction action, BatchStatus expected) {
        BatchDefinition definition = Fixtures.sealed("b", 10,
                new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE, Duration.ofSeconds(30), action),
                CREATED);

        Verdict verdict = DecisionRules.onTotalTimeout(definition, tally(6, 1));

        assertThat(verdict.status()).isEqualTo(expected);
        assertThat(verdict.reason()).isEqualTo("totalTimeout 30s passed with 7 of 10 items finished; onTotalTimeout="
                + action.id());
    }

    @Test
    void theSuccessRateOfAnEmptyBatchIsZero() {
        assertThat(DecisionRules.successRate(0, 0)).isZero();
        assertThat(DecisionRules.successRate(3, 4)).isEqualTo(0.75);
    }

    @ParameterizedTest
    @CsvSource({"FAIL_FAST, true", "RACE, true", "WAIT_ALL, false", "BEST_EFFORT, false"})
    void onlyFailFastAndRaceCancelTheRestWhenTheyDecideEarly(Strategy strategy, boolean cancels) {
        assertThat(DecisionRules.cancelsTheRest(sealed(5, strategy), tally(1, 1), false)).isEqualTo(cancels);
        assertThat(DecisionRules.cancelsTheRest(open(strategy, 1.0), tally(1, 1), false)).isEqualTo(cancels);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void nothingIsCancelledOnceEveryItemOfASealedBatchFinished(Strategy strategy) {
        assertThat(DecisionRules.cancelsTheRest(sealed(2, strategy), tally(1, 1), false)).isFalse();
        assertThat(DecisionRules.cancelsTheRest(sealed(2, strategy), tally(1, 1), true)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"CANCEL, true", "COLLECT_PARTIAL, true", "FAIL, false"})
    void aTotalTimeoutCancelsTheRestUnlessItOnlyFails(TotalTimeoutAction action, boolean cancels) {
        BatchDefinition definition = Fixtures.sealed("b", 10,
                new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE, Duration.ofSeconds(30), action),
                CREATED);

        assertThat(DecisionRules.cancelsTheRest(definition, tally(6, 1), true)).isEqualTo(cancels);
    }
}
