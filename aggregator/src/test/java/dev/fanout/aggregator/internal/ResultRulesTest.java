package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.Fixtures;
import dev.fanout.aggregator.internal.ResultRules.Effect;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.ItemResult;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultRulesTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final ItemOutcome SUCCEEDED = ItemOutcome.of(Fixtures.success("b", 1));
    private static final ItemOutcome FAILED = ItemOutcome.of(Fixtures.failure("b", 1));

    private static BatchState batch(long total, long counted) {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("b", total, BatchPolicy.ofDefaults(), CREATED));
        for (int i = 0; i < counted; i++) {
            state.count(Fixtures.success("b", 10 + i));
        }
        return state;
    }

    private static ItemResult replay(ItemResult result) {
        return Fixtures.replayed(result, 3);
    }

    @Test
    void aPlainResultIsCountedFirstAndADuplicateAfterwards() {
        assertThat(ResultRules.effectOf(Fixtures.failure("b", 1), null, null)).isEqualTo(Effect.COUNT);
        assertThat(ResultRules.effectOf(Fixtures.failure("b", 1), null, batch(3, 3))).isEqualTo(Effect.COUNT);
        assertThat(ResultRules.effectOf(Fixtures.success("b", 1), FAILED, batch(3, 1))).isEqualTo(Effect.DUPLICATE);
    }

    @Test
    void aReplayReplacesAnUnsuccessfulItemOnlyWhenItSucceeded() {
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), FAILED, batch(3, 2)))
                .isEqualTo(Effect.REPLACE);
        assertThat(ResultRules.effectOf(replay(Fixtures.failure("b", 1)), FAILED, batch(3, 2)))
                .isEqualTo(Effect.FAILED_AGAIN);
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), SUCCEEDED, batch(3, 2)))
                .isEqualTo(Effect.DUPLICATE);
        assertThat(ResultRules.effectOf(replay(Fixtures.failure("b", 1)), SUCCEEDED, batch(3, 2)))
                .isEqualTo(Effect.DUPLICATE);
    }

    @Test
    void aReplayOfAnItemNeverSeenCountsOnlyInAKnownBatchWithItemsLeftToCount() {
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, batch(3, 2)))
                .isEqualTo(Effect.COUNT);
        BatchState open = new BatchState();
        open.adopt(Fixtures.open("b", BatchPolicy.ofDefaults(), CREATED));
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, open)).isEqualTo(Effect.COUNT);
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, new BatchState()))
                .as("results before the definition").isEqualTo(Effect.COUNT);
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, batch(3, 3)))
                .isEqualTo(Effect.UNMATCHED_REPLAY);
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, null))
                .isEqualTo(Effect.UNMATCHED_REPLAY);
    }

    @Test
    void aLateSupplementIsAttachedToAStoredItemAndOtherwiseCountedAsItsTimedOutResult() {
        ItemResult late = Fixtures.late("b", 1, JsonNodeFactory.instance.numberNode(1), null);
        assertThat(ResultRules.effectOf(late, ItemOutcome.of(Fixtures.timedOut("b", 1)), batch(3, 1)))
                .isEqualTo(Effect.ATTACH_LATE);
        assertThat(ResultRules.effectOf(late, null, batch(3, 1))).isEqualTo(Effect.COUNT);
        assertThat(ResultRules.effectOf(late, null, null)).isEqualTo(Effect.COUNT);
        assertThat(ResultRules.revises(late, Effect.COUNT)).isFalse();

        ItemResult part = ResultRules.timedOutPart(late);
        assertThat(part.isLate()).isFalse();
        assertThat(part.output()).isNull();
        assertThat(part.error()).isNull();
        assertThat(part.reason()).isEqualTo(late.reason());
        assertThat(part.itemKey()).isEqualTo(late.itemKey());
    }

    @Test
    void nothingIsTakenForABatchWhoseItemsWereRemoved() {
        BatchState removed = batch(3, 2);
        removed.markItemsRemoved();
        assertThat(ResultRules.effectOf(Fixtures.success("b", 1), null, removed)).isEqualTo(Effect.ITEMS_REMOVED);
        assertThat(ResultRules.effectOf(replay(Fixtures.success("b", 1)), null, removed))
                .isEqualTo(Effect.ITEMS_REMOVED);
        assertThat(ResultRules.effectOf(Fixtures.late("b", 1, null, null), null, removed))
                .isEqualTo(Effect.ITEMS_REMOVED);
    }

    @Test
    void onlyAReplayThatChangesTheCountsRevisesADecision() {
        assertThat(ResultRules.revises(replay(Fixtures.success("b", 1)), Effect.REPLACE)).isTrue();
        assertThat(ResultRules.revises(replay(Fixtures.failure("b", 1)), Effect.COUNT)).isTrue();
        assertThat(ResultRules.revises(replay(Fixtures.failure("b", 1)), Effect.FAILED_AGAIN)).isFalse();
        assertThat(ResultRules.revises(Fixtures.success("b", 1), Effect.COUNT)).isFalse();
    }
}
