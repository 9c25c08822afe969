package dev.fanout.dispatcher.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Strategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditCheckTest {

    private static final Instant AT = Instant.parse("2026-12-07T00:00:00Z");
    private static final Optional<BatchDefinition> SEALED = Optional.of(new BatchDefinition(Envelopes.SCHEMA_VERSION,
            "b", "sim", 4L, true, BatchPolicy.ofDefaults(), Lane.NORMAL, AT));

    /** Items 0..3: 0, 1 and 3 succeed, 2 fails and is dead-lettered. */
    private static List<ItemResult> fourResults() {
        return new ArrayList<>(List.of(ok(0), ok(1), failed(2), ok(3)));
    }

    @Test
    void aBatchWhoseEveryItemHasOneCountedOutcomeMatchingItsOneDecisionIsAccounted() {
        List<ItemResult> results = fourResults();
        results.add(ok(1)); // a rerun after a crash: counted once

        AuditReport report = AuditCheck.check("b", SEALED, results, List.of(decision(1, 3, 1, true)), List.of(2L, 2L));

        assertThat(report.problems()).isEmpty();
        assertThat(report.summary()).startsWith("ALL-ITEMS-ACCOUNTED batch b: 4 items, 3 succeeded, 1 failed");
        assertThat(report.rerunResults()).isEqualTo(1);
        assertThat(report.duplicateDeadLetters()).isEqualTo(1);
    }

    @Test
    void aMissingItemIsNamed() {
        List<ItemResult> results = fourResults();
        results.remove(3);

        AuditReport report = AuditCheck.check("b", SEALED, results, List.of(decision(1, 3, 1, true)), List.of(2L));

        assertThat(report.accounted()).isFalse();
        assertThat(report.problems()).contains("1 items have no result (e.g. 3)")
                .contains("decision revision 1 counts succeeded 3, the results 2");
    }

    @Test
    void aDecisionThatCountedARerunTwiceIsCaught() {
        AuditReport report = AuditCheck.check("b", SEALED, fourResults(), List.of(decision(1, 4, 1, true)),
                List.of(2L));

        assertThat(report.summary()).startsWith("NOT-ACCOUNTED")
                .contains("decision revision 1 counts succeeded 4, the results 3");
    }

    @Test
    void aSecondRevisionOneDecisionIsCaught() {
        AuditReport report = AuditCheck.check("b", SEALED, fourResults(),
                List.of(decision(1, 3, 1, true), decision(1, 3, 1, true)), List.of(2L));

        assertThat(report.problems()).containsExactly("2 revision-1 decisions (exactly one is right)");
    }

    @Test
    void aFailedItemWithoutItsDeadLetterAndADeadLetterOfASucceededItemAreCaught() {
        AuditReport report = AuditCheck.check("b", SEALED, fourResults(), List.of(decision(1, 3, 1, true)),
                List.of(0L));

        assertThat(report.problems()).containsExactly("1 dead-lettered items have no dead letter (e.g. 2)",
                "1 items have a dead letter but no result says it was dead-lettered (e.g. 0)");
    }

    @Test
    void anUnsealedBatchAndAnUnsettledDecisionAreNotAccounted() {
        Optional<BatchDefinition> open = Optional.of(new BatchDefinition(Envelopes.SCHEMA_VERSION, "b", "sim", null,
                false, BatchPolicy.ofDefaults(), Lane.NORMAL, AT));

        AuditReport report = AuditCheck.check("b", open, fourResults(), List.of(decision(1, 3, 1, false)),
                List.of(2L));

        assertThat(report.problems()).anySatisfy(p -> assertThat(p).startsWith("the batch is not sealed"))
                .anySatisfy(p -> assertThat(p).startsWith("the batch has no settled decision yet"));
    }

    @Test
    void aReplaysSuccessReplacesTheDeadLetteredFailureOnceAndTheLatestSettledRevisionIsCompared() {
        List<ItemResult> results = fourResults();
        results.add(ok(2).asReplayOf("fanout.dlq/0/7"));

        AuditReport report = AuditCheck.check("b", SEALED, results,
                List.of(decision(1, 3, 1, true), decision(2, 4, 0, true)), List.of(2L));

        assertThat(report.counted().succeeded()).isEqualTo(4);
        assertThat(report.decision().revision()).isEqualTo(2);
        assertThat(report.rerunResults()).isZero();
        assertThat(report.problems()).isEmpty();
    }

    @Test
    void resultsBeyondTheTotalAreNamed() {
        List<ItemResult> results = fourResults();
        results.add(ok(9));

        AuditReport report = AuditCheck.check("b", SEALED, results, List.of(decision(1, 3, 1, true)), List.of(2L));

        assertThat(report.problems()).containsExactly("1 results for items outside 0..3 (e.g. 9)");
    }

    private static ItemResult ok(long index) {
        return new ItemResult(Envelopes.SCHEMA_VERSION, "b", Long.toString(index), index, ItemStatus.SUCCEEDED, null,
                null, null, 1, AT, AT, 1, "w1", false, "t" + index);
    }

    private static ItemResult failed(long index) {
        return new ItemResult(Envelopes.SCHEMA_VERSION, "b", Long.toString(index), index, ItemStatus.FAILED,
                FailureReason.HANDLER_ERROR, new ItemError("Boom", "boom", null), null, 1, AT, AT, 1, "w1", true,
                "t" + index);
    }

    private static BatchResult decision(int revision, long succeeded, long failed, boolean settled) {
        return new BatchResult(Envelopes.SCHEMA_VERSION, "b", BatchStatus.FAILED, revision, Strategy.WAIT_ALL, 4,
                succeeded, failed, 0, 0, failed, succeeded / 4.0, AT, AT, 1, 1, 1, 1, 1, 1, "r", List.of(), null,
                settled);
    }
}
