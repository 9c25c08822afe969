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

    @Test
    void aCompensatedBatchNamesItsCompensationBatchAndItsJobs() {
        BatchResult early = decision(1, 100, 1, 0, false);
        BatchResult settled = decision(2, 106, 1894, 1893, true);

        assertThat(ResultText.describe(withCompensation(early, 100))).contains("  compensation: 100 jobs in batch"
                + " b.compensation so far");
        assertThat(ResultText.describe(withCompensation(settled, 106)))
                .contains("  compensation: 106 jobs in batch b.compensation").doesNotContain("so far");
        assertThat(ResultText.describe(settled)).doesNotContain("compensation");
    }

    private static BatchResult withCompensation(BatchResult r, long jobs) {
        return new BatchResult(r.schemaVersion(), r.batchId(), r.status(), r.revision(), r.strategy(), r.total(),
                r.succeeded(), r.failed(), r.timedOut(), r.cancelled(), r.deadLettered(), r.successRate(),
                r.startedAt(), r.decidedAt(), r.wallMs(), r.sumItemMs(), r.speedup(), r.latencyP50Ms(),
                r.latencyP95Ms(), r.latencyP99Ms(), r.reason(), r.errors(), r.output(), r.settled(),
                r.batchId() + ".compensation", jobs);
    }
}
