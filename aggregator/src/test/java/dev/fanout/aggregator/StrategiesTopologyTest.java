package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every strategy and every {@code onPartialFailure} mode end to end through the topology: four items, the second of
 * which fails (the first result a duplicate), {@code minSuccessRate} 0.5 or 0.9.
 */
class StrategiesTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;

    @ParameterizedTest(name = "{0} {1} minSuccessRate {2}: {3} after {4} results, {5} succeeded")
    @CsvSource({
            "WAIT_ALL,    CONTINUE, 0.5, SUCCEEDED_WITH_FAILURES, 4, 3",
            "WAIT_ALL,    FAIL,     0.5, FAILED,                  4, 3",
            "WAIT_ALL,    COLLECT,  0.5, SUCCEEDED_WITH_FAILURES, 4, 3",
            "WAIT_ALL,    CONTINUE, 0.9, FAILED,                  2, 1",
            "BEST_EFFORT, CONTINUE, 0.5, SUCCEEDED_WITH_FAILURES, 4, 3",
            "BEST_EFFORT, FAIL,     0.5, FAILED,                  4, 3",
            "BEST_EFFORT, COLLECT,  0.5, SUCCEEDED_WITH_FAILURES, 4, 3",
            "BEST_EFFORT, CONTINUE, 0.9, FAILED,                  4, 3",
            "FAIL_FAST,   CONTINUE, 0.5, FAILED,                  2, 1",
            "RACE,        FAIL,     0.5, SUCCEEDED,               1, 1"})
    void eachStrategyAndModeDecidesItsStatusWithExactCountsAsEarlyAsItCan(Strategy strategy,
            PartialFailurePolicy mode, double minSuccessRate, BatchStatus expected, long finished, long succeeded) {
        try (TopologyHarness h = new TopologyHarness(stateDir, NOW)) {
            h.define(Fixtures.sealed("b", 4, BatchPolicy.of(strategy, minSuccessRate, mode), NOW.minusSeconds(1)));
            h.report(Fixtures.success("b", 0), Fixtures.success("b", 0), Fixtures.failure("b", 1));
            h.report(Fixtures.success("b", 2), Fixtures.success("b", 3), Fixtures.failure("b", 3));

            BatchResult decision = h.decisions.readValue();
            assertThat(decision.status()).isEqualTo(expected);
            assertThat(decision.finished()).isEqualTo(finished);
            assertThat(decision.succeeded()).isEqualTo(succeeded);
            assertThat(decision.total()).isEqualTo(4);
            assertThat(h.decisions.isEmpty()).as("decided once").isTrue();
            assertThat(h.batchStore().get("b").tally().finished()).as("later results still counted once").isEqualTo(4);
        }
    }
}
