package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.Fixtures;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's per-batch state and records stay small whatever the batch: a million items with a different error
 * type and latency each, the worst case for the summaries, are counted here without a broker.
 */
class RecordSizeTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final int ITEMS = 1_000_000;
    private static final int STATE_BOUND = 64 * 1024;

    @Test
    void aMillionItemBatchKeepsItsStateAndItsDecisionFarBelowOneMegabyte() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("big", ITEMS, BatchPolicy.of(Strategy.BEST_EFFORT, 0.1,
                PartialFailurePolicy.COLLECT), START));
        String longMessage = "x".repeat(ItemError.MAX_MESSAGE_CHARS);
        JsonSerde<BatchState> serde = new JsonSerde<>(BatchState.class);
        int largest = 0;
        for (int i = 0; i < ITEMS; i++) {
            ItemResult result = i % 2 == 0
                    ? Fixtures.success("big", i, i % 100_000, START, null)
                    : Fixtures.unsuccessful("big", i, ItemStatus.FAILED, FailureReason.HANDLER_ERROR,
                            new ItemError("com.example.Error" + i + "y".repeat(1_000), longMessage), i % 100_000,
                            START, true);
            state.count(result);
            if (i % 100_000 == 0) {
                largest = Math.max(largest, serde.serializer().serialize("t", state).length);
            }
        }
        state.decide(BatchStatus.SUCCEEDED_WITH_FAILURES, START.plusSeconds(3600));
        BatchResult decision = BatchResults.of("big", state, new Verdict(BatchStatus.SUCCEEDED_WITH_FAILURES,
                "500000 of 1000000 items failed; onPartialFailure=collect"), START.plusSeconds(3600), null);
        state.recordDecision(decision);

        byte[] stateBytes = serde.serializer().serialize("t", state);
        byte[] decisionBytes = Envelopes.encode(decision);
        System.out.printf("1,000,000 items: batch state %,d bytes (largest on the way %,d), decision %,d bytes%n",
                stateBytes.length, largest, decisionBytes.length);
        assertThat(stateBytes.length).isLessThan(STATE_BOUND);
        assertThat(largest).isLessThan(STATE_BOUND);
        assertThat(decisionBytes.length).isLessThan(STATE_BOUND);
        assertThat(decision.total()).isEqualTo(ITEMS);
        assertThat(decision.succeeded() + decision.failed()).isEqualTo(ITEMS);
        assertThat(state.failedSample()).hasSize(BatchState.FAILED_SAMPLE);
    }

    @Test
    void aMillionItemBatchWhoseFailuresAreAllReplayedKeepsItsStateSmallAndItsCountsExact() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("big", ITEMS, BatchPolicy.of(Strategy.WAIT_ALL, 0.1,
                PartialFailurePolicy.CONTINUE), START));
        String longMessage = "x".repeat(ItemError.MAX_MESSAGE_CHARS);
        for (int i = 0; i < ITEMS; i++) {
            state.count(i % 2 == 0
                    ? Fixtures.success("big", i, i % 100_000, START, null)
                    : failure(i, longMessage));
        }
        state.decide(BatchStatus.SUCCEEDED_WITH_FAILURES, START.plusSeconds(3600));
        JsonSerde<BatchState> serde = new JsonSerde<>(BatchState.class);
        int largest = 0;
        for (int i = 1; i < ITEMS; i += 2) {
            state.replace(ItemOutcome.of(failure(i, longMessage)), i,
                    Fixtures.replayed(Fixtures.success("big", i, i % 100_000, START, null), i));
            state.markRevisionDue();
            if (i % 100_001 == 0) {
                largest = Math.max(largest, serde.serializer().serialize("t", state).length);
            }
        }
        state.decide(BatchStatus.SUCCEEDED, START.plusSeconds(7200));
        BatchResult revised = BatchResults.of("big", state, new Verdict(BatchStatus.SUCCEEDED, null),
                START.plusSeconds(7200), null);
        state.recordDecision(revised);

        byte[] stateBytes = serde.serializer().serialize("t", state);
        System.out.printf("1,000,000 items, 500,000 replayed: batch state %,d bytes (largest on the way %,d),"
                + " revision %,d bytes%n", stateBytes.length, largest, Envelopes.encode(revised).length);
        assertThat(stateBytes.length).isLessThan(STATE_BOUND);
        assertThat(largest).isLessThan(STATE_BOUND);
        assertThat(revised.revision()).isEqualTo(2);
        assertThat(revised.succeeded()).isEqualTo(ITEMS);
        assertThat(revised.failed()).isZero();
        assertThat(revised.deadLettered()).isZero();
        assertThat(revised.errors()).isEmpty();
        assertThat(state.failedSample()).isEmpty();
    }

    private static ItemResult failure(int index, String message) {
        return Fixtures.unsuccessful("big", index, ItemStatus.FAILED, FailureReason.HANDLER_ERROR,
                new ItemError("com.example.Error" + index + "y".repeat(1_000), message), index % 100_000, START,
                true);
    }

    @Test
    void aRaceWinnersOutputTooLargeForTheDecisionRecordIsLeftInTheItemStoreWithAPointer() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("r", 2, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE), START));
        state.count(Fixtures.success("r", 1));
        state.decide(BatchStatus.SUCCEEDED, START.plusSeconds(1));
        BatchResult full = BatchResults.of("r", state, new Verdict(BatchStatus.SUCCEEDED, "race: item 1 succeeded"
                + " first"), START.plusSeconds(1), JsonNodeFactory.instance.textNode("z".repeat(1_200_000)));

        BatchResult fitted = BatchResults.fit(full, BatchResults.MAX_RECORD_BYTES, state.winnerIndex());

        assertThat(Envelopes.encode(fitted).length).isLessThan(BatchResults.MAX_RECORD_BYTES);
        assertThat(fitted.output()).isNull();
        assertThat(fitted.reason()).isEqualTo("race: item 1 succeeded first; the winner's output (1200002 bytes) is"
                + " too large for the batch result; read it from GET /batches/r/items/1");
        BatchResult small = BatchResults.of("r", state, new Verdict(BatchStatus.SUCCEEDED, null),
                START.plusSeconds(1), JsonNodeFactory.instance.numberNode(7));
        assertThat(BatchResults.fit(small, BatchResults.MAX_RECORD_BYTES, 1L)).isSameAs(small);
    }
}
