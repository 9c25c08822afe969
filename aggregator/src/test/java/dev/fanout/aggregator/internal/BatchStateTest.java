package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.Fixtures;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult.ErrorCount;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchStateTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aSealedDefinitionIsNeverReplacedByAnUnsealedOne() {
        BatchState state = new BatchState();
        BatchDefinition open = Fixtures.open("b", BatchPolicy.ofDefaults(), CREATED);
        BatchDefinition sealed = open.seal(3);

        assertThat(state.adopt(open)).isTrue();
        assertThat(state.adopt(open)).isFalse();
        assertThat(state.adopt(sealed)).isTrue();
        assertThat(state.adopt(open)).isFalse();
        assertThat(state.definition()).isEqualTo(sealed);
    }

    @Test
    void aBatchStateSurvivesItsJsonRoundTripWithEverythingItCounted() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("b", 3, new BatchPolicy(Strategy.RACE, 0.5, PartialFailurePolicy.COLLECT,
                Duration.ofMinutes(5), TotalTimeoutAction.CANCEL), CREATED));
        state.count(Fixtures.failure("b", 0));
        state.count(Fixtures.success("b", 2, 25, CREATED.minusSeconds(1),
                JsonNodeFactory.instance.objectNode().put("winner", true)));
        state.count(Fixtures.success("b", 1));
        state.decide(BatchStatus.SUCCEEDED, CREATED.plusSeconds(9));
        JsonSerde<BatchState> serde = new JsonSerde<>(BatchState.class);

        BatchState copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));

        assertThat(copy.definition()).isEqualTo(state.definition());
        assertThat(copy.tally()).isEqualTo(new Tally(2, 1, 0L, 2L));
        assertThat(copy.deadLettered()).isEqualTo(1);
        assertThat(copy.sumItemMs()).isEqualTo(45);
        assertThat(copy.earliestStartedAt()).isEqualTo(CREATED.minusSeconds(1));
        assertThat(copy.latency().percentile(1.0)).isEqualTo(25);
        assertThat(copy.errors().top()).containsExactly(new ErrorCount("java.lang.IllegalStateException", 1, "boom 0"));
        assertThat(copy.winnerIndex()).isEqualTo(2);
        assertThat(copy.decidedStatus()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(copy.decidedAt()).isEqualTo(CREATED.plusSeconds(9));
        assertThat(copy.revision()).isEqualTo(1);
    }

    @Test
    void aReplayedSuccessMovesTheItemFromEveryUnsuccessfulSummaryToTheSucceededCount() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("b", 3, BatchPolicy.ofDefaults(), CREATED));
        ItemResult failed = Fixtures.failure("b", 1);
        state.count(Fixtures.timedOut("b", 0));
        state.count(failed);
        state.count(Fixtures.success("b", 2));

        state.replace(ItemOutcome.of(Fixtures.timedOut("b", 0)), 0, Fixtures.replayed(Fixtures.success("b", 0), 4));

        assertThat(state.tally()).isEqualTo(new Tally(2, 1, 1L, 2L));
        assertThat(state.timedOut()).isZero();
        assertThat(state.deadLettered()).isEqualTo(1);
        assertThat(state.failedSample()).containsExactly(1L);
        assertThat(state.errors().top()).containsExactly(new ErrorCount("java.lang.IllegalStateException", 1,
                "boom 1"));
        assertThat(state.sumItemMs()).isEqualTo(1000 + 10 + 10 + 10);

        state.replace(ItemOutcome.of(failed), 1, Fixtures.replayed(Fixtures.success("b", 1), 5));

        assertThat(state.tally()).isEqualTo(new Tally(3, 0, null, 2L));
        assertThat(state.deadLettered()).isZero();
        assertThat(state.errors().top()).isEmpty();
        assertThat(state.allItemsCounted()).isTrue();
        assertThatThrownBy(() -> state.replace(ItemOutcome.of(Fixtures.success("b", 2)), 2, Fixtures.success("b", 2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("item 2 already succeeded; a replay only replaces an unsuccessful outcome");
    }

    @Test
    void aRevisionIsDueOnlyForADecidedBatchAndUntilItsNextDecision() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("b", 1, BatchPolicy.ofDefaults(), CREATED));
        assertThatThrownBy(state::markRevisionDue).isInstanceOf(IllegalStateException.class)
                .hasMessage("an undecided batch has no decision to revise");
        state.count(Fixtures.failure("b", 0));
        state.decide(BatchStatus.FAILED, CREATED.plusSeconds(1));
        state.markRevisionDue();
        JsonSerde<BatchState> serde = new JsonSerde<>(BatchState.class);

        BatchState copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));
        assertThat(copy.revisionDue()).isTrue();
        copy.decide(BatchStatus.SUCCEEDED, CREATED.plusSeconds(2));

        assertThat(copy.revisionDue()).isFalse();
        assertThat(copy.revision()).isEqualTo(2);
    }

    @Test
    void theDecisionTheFailedSampleAndTheSignalsSurviveTheJsonRoundTrip() {
        BatchState state = new BatchState();
        state.adopt(Fixtures.sealed("b", 3, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        state.count(Fixtures.failure("b", 2));
        state.count(Fixtures.success("b", 0, 5, CREATED, JsonNodeFactory.instance.objectNode().put("big", "output")));
        state.decide(BatchStatus.SUCCEEDED, CREATED.plusSeconds(1));
        state.recordDecision(BatchResults.of("b", state, new Verdict(BatchStatus.SUCCEEDED, "race"),
                CREATED.plusSeconds(1), JsonNodeFactory.instance.objectNode().put("big", "output")));
        state.markCancelSent();
        state.markItemsRemoved();
        JsonSerde<BatchState> serde = new JsonSerde<>(BatchState.class);

        BatchState copy = serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));

        assertThat(copy.decision().reason()).isEqualTo("race");
        assertThat(copy.decision().output()).as("the winner's output stays in the item store").isNull();
        assertThat(copy.failedSample()).containsExactly(2L);
        assertThat(copy.cancelSent()).isTrue();
        assertThat(copy.itemsRemoved()).isTrue();
    }
}
