package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchResult.ErrorCount;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.Strategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Late supplements of timed-out items ({@code onTimeout: continue}), under {@code TopologyTestDriver}. */
class LateSupplementTopologyTest {

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
    void aLateSupplementAttachesItsOutputOrErrorToTheTimedOutItemWithoutChangingCountsOrDecisions()
            throws IOException {
        start();
        h.define(Fixtures.sealed("b", 3, HALF, CREATED));
        h.report(Fixtures.timedOut("b", 0), Fixtures.timedOut("b", 1), Fixtures.success("b", 2));
        BatchResult decision = h.decisions.readValue();
        assertThat(decision.timedOut()).isEqualTo(2);

        h.report(Fixtures.late("b", 0, JsonNodeFactory.instance.objectNode().put("answer", 42), null));
        h.report(Fixtures.late("b", 1, null, new ItemError("java.io.IOException", "gave up late")));
        h.report(Fixtures.late("b", 1, null, new ItemError("java.io.IOException", "gave up late")));

        assertThat(h.decisions.isEmpty()).isTrue();
        ItemOutcome first = item("b", 0);
        assertThat(first.status()).isEqualTo(ItemStatus.TIMED_OUT);
        assertThat(first.errorType()).isEqualTo("java.util.concurrent.TimeoutException");
        assertThat(first.output()).isNull();
        assertThat(first.lateOutput().toString()).isEqualTo("{\"answer\":42}");
        assertThat(first.lateError()).isNull();
        assertThat(item("b", 1).lateError()).isEqualTo(new ItemError("java.io.IOException", "gave up late"));
        assertThat(item("b", 1).lateOutput()).isNull();
        BatchState state = h.batchStore().get("b");
        assertThat(state.timedOut()).isEqualTo(2);
        assertThat(state.tally().finished()).isEqualTo(3);
        assertThat(state.decision()).isEqualTo(decision);
        assertThat(counter(AggregatorMetrics.LATE_RESULTS)).isEqualTo(3);
        assertThat(counter(AggregatorMetrics.DUPLICATES)).isZero();
        ItemView view = h.queries().item("b", "item-0").orElseThrow();
        assertThat(view.lateOutput().toString()).isEqualTo("{\"answer\":42}");
        assertThat(view.output()).isNull();
        String json = Envelopes.mapper().writeValueAsString(view);
        assertThat(json).contains("\"lateOutput\":{\"answer\":42}").doesNotContain("lateError");
        assertThat(Envelopes.mapper().readValue(json, ItemView.class)).as("read back strictly, as ResultsClient does")
                .isEqualTo(view);
        assertThat(h.queries().item("b", "item-1").orElseThrow().lateError())
                .isEqualTo(new ItemError("java.io.IOException", "gave up late"));
    }

    @Test
    void aLateSupplementOfAnItemNeverSeenIsCountedOnceAsItsTimedOutResult() {
        start();
        h.define(Fixtures.sealed("b", 2, BatchPolicy.of(Strategy.BEST_EFFORT, 0.0, PartialFailurePolicy.CONTINUE),
                CREATED));
        h.report(Fixtures.late("b", 0, JsonNodeFactory.instance.textNode("finally"), null));
        h.report(Fixtures.timedOut("b", 0));
        h.report(Fixtures.success("b", 1));

        BatchResult decision = h.decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(decision.timedOut()).isEqualTo(1);
        assertThat(decision.failed()).isEqualTo(1);
        assertThat(decision.errors()).containsExactly(new ErrorCount("TIMEOUT", 1, ""));
        ItemOutcome outcome = item("b", 0);
        assertThat(outcome.status()).isEqualTo(ItemStatus.TIMED_OUT);
        assertThat(outcome.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(outcome.output()).isNull();
        assertThat(outcome.lateOutput().asText()).isEqualTo("finally");
        assertThat(counter(AggregatorMetrics.DUPLICATES)).isEqualTo(1);
    }

    @Test
    void aLateOutputThatWouldMakeTheStoredItemTooLargeIsNotKept() {
        start();
        h.define(Fixtures.sealed("b", 1, HALF, CREATED));
        h.report(Fixtures.unsuccessful("b", 0, ItemStatus.TIMED_OUT, FailureReason.TIMEOUT,
                new ItemError("java.util.concurrent.TimeoutException", "t".repeat(ItemError.MAX_MESSAGE_CHARS)), 1000,
                CREATED, false));

        h.report(Fixtures.late("b", 0, JsonNodeFactory.instance.textNode("z".repeat(999_000)), null));

        ItemOutcome outcome = item("b", 0);
        assertThat(outcome.lateOutput()).isNull();
        assertThat(outcome.errorMessage()).hasSize(ItemError.MAX_MESSAGE_CHARS);
        assertThat(counter(AggregatorMetrics.LATE_RESULTS)).isEqualTo(1);
    }
}
