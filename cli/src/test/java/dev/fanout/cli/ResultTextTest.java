package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Strategy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTextTest {

    private static BatchResult decision(int revision, long succeeded, long failed, long cancelled, boolean settled) {
        Instant at = Instant.parse("2026-11-22T00:00:00Z");
        return new BatchResult(Envelopes.SCHEMA_VERSION, "b", BatchStatus.FAILED, revision, Strategy.FAIL_FAST, 2000,
                succeeded, failed, 0, cancelled, 1, succeeded / 2000.0, at, at.plusSeconds(1), 1000, 10, 0.01, 1, 1,
                1, "fail_fast: item 100 failed", List.of(), null, settled);
    }

    @Test
    void anEarlyDecisionSaysItIsNotSettledAndTheSettledRevisionDoesNot() {
        String early = ResultText.describe(decision(1, 100, 1, 0, false));
        String settled = ResultText.describe(decision(2, 106, 1894, 1893, true));

        assertThat(early).contains("batch b: FAILED (fail_fast, revision 1)")
                .contains("  not settled: decided with 101 of 2000 items accounted for; the rest are still counted");
        assertThat(settled).contains("total 2000, succeeded 106, failed 1894 (timed out 0, cancelled 1893)")
                .doesNotContain("not settled");
    }
}
