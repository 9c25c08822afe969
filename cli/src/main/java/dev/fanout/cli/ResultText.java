package dev.fanout.cli;

import dev.fanout.protocol.BatchResult;
import java.util.Locale;

/** Human-readable lines for a batch decision. */
final class ResultText {

    private ResultText() {
    }

    static String describe(BatchResult result) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "batch %s: %s (%s, revision %d)%n", result.batchId(), result.status(),
                result.strategy().id(), result.revision()));
        text.append(String.format(Locale.ROOT, "  total %d, succeeded %d, failed %d (timed out %d, cancelled %d),"
                        + " dead-lettered %d, success rate %.2f%%%n", result.total(), result.succeeded(), result.failed(),
                result.timedOut(), result.cancelled(), result.deadLettered(), result.successRate() * 100));
        if (!result.settled()) {
            text.append(String.format(Locale.ROOT, "  not settled: decided with %d of %d items accounted for; the"
                    + " rest are still counted, and a settled revision follows once the sealed batch has them all%n",
                    result.finished(), result.total()));
        }
        text.append(String.format(Locale.ROOT, "  wall %d ms, item time %d ms, speed-up %.1fx,"
                        + " item latency p50 %d ms, p95 %d ms, p99 %d ms", result.wallMs(), result.sumItemMs(),
                result.speedup(), result.latencyP50Ms(), result.latencyP95Ms(), result.latencyP99Ms()));
        if (result.reason() != null) {
            text.append(String.format("%n  reason: %s", result.reason()));
        }
        if (result.compensationBatchId() != null) {
            text.append(String.format(Locale.ROOT, "%n  compensation: %d jobs in batch %s%s", result.compensated(),
                    result.compensationBatchId(), result.settled() ? "" : " so far"));
        }
        for (BatchResult.ErrorCount error : result.errors()) {
            text.append(String.format(Locale.ROOT, "%n  %6d x %s: %s", error.count(), error.type(), error.example()));
        }
        return text.toString();
    }
}
