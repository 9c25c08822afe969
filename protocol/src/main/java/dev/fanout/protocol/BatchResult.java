package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The aggregator's decision on a batch, on the batch-results topic keyed by {@code batchId}: small whatever the
 * batch size (per-item outputs stay in the aggregator's store). A later {@code revision} supersedes an earlier one.
 *
 * @param successRate   succeeded / total
 * @param sumItemMs     the sum of every item's handler time
 * @param speedup       sumItemMs / wallMs: how much parallelism the batch got
 * @param latencyP50Ms  item latency percentiles (handler time), from a bucketed histogram (within 5%)
 * @param errors        the most frequent error types with counts, most frequent first
 * @param output        for {@code race}: the winning item's output; otherwise {@code null}
 * @param settled       every item of the batch is accounted for in these counts ({@code succeeded + failed = total},
 *                      where {@code failed} includes {@code timedOut} and {@code cancelled}): no later result will
 *                      change them, only a replay's. A decision made before every item ended ({@code fail_fast},
 *                      {@code race}, an unreachable {@code minSuccessRate}, a total timeout) is not settled; a later
 *                      revision with the final counts is. Absent in records of earlier releases, and read as
 *                      {@code false}; never {@code null}
 * @param compensationBatchId under {@code policy.onFailure: compensate}, once the batch is decided {@code FAILED} or
 *                      {@code CANCELLED}: its compensation batch, {@code <batchId>.compensation}; else {@code null}
 * @param compensated   with {@code compensationBatchId}: how many compensation jobs were published by this revision
 *                      (one per succeeded item; final once {@code settled}); else {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchResult(
        int schemaVersion,
        String batchId,
        BatchStatus status,
        int revision,
        Strategy strategy,
        long total,
        long succeeded,
        long failed,
        long timedOut,
        long cancelled,
        long deadLettered,
        double successRate,
        Instant startedAt,
        Instant decidedAt,
        long wallMs,
        long sumItemMs,
        double speedup,
        long latencyP50Ms,
        long latencyP95Ms,
        long latencyP99Ms,
        String reason,
        List<ErrorCount> errors,
        JsonNode output,
        Boolean settled,
        String compensationBatchId,
        Long compensated) implements Envelopes.Versioned {

    public BatchResult {
        Envelopes.require(batchId, "batchId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(strategy, "strategy");
        errors = errors == null ? List.of() : List.copyOf(errors);
        settled = settled != null && settled;
    }

    /** A decision without compensation. */
    public BatchResult(int schemaVersion, String batchId, BatchStatus status, int revision, Strategy strategy,
            long total, long succeeded, long failed, long timedOut, long cancelled, long deadLettered,
            double successRate, Instant startedAt, Instant decidedAt, long wallMs, long sumItemMs, double speedup,
            long latencyP50Ms, long latencyP95Ms, long latencyP99Ms, String reason, List<ErrorCount> errors,
            JsonNode output, Boolean settled) {
        this(schemaVersion, batchId, status, revision, strategy, total, succeeded, failed, timedOut, cancelled,
                deadLettered, successRate, startedAt, decidedAt, wallMs, sumItemMs, speedup, latencyP50Ms,
                latencyP95Ms, latencyP99Ms, reason, errors, output, settled, null, null);
    }

    /** A decision of earlier releases, without {@code settled} (read as {@code false}). */
    public BatchResult(int schemaVersion, String batchId, BatchStatus status, int revision, Strategy strategy,
            long total, long succeeded, long failed, long timedOut, long cancelled, long deadLettered,
            double successRate, Instant startedAt, Instant decidedAt, long wallMs, long sumItemMs, double speedup,
            long latencyP50Ms, long latencyP95Ms, long latencyP99Ms, String reason, List<ErrorCount> errors,
            JsonNode output) {
        this(schemaVersion, batchId, status, revision, strategy, total, succeeded, failed, timedOut, cancelled,
                deadLettered, successRate, startedAt, decidedAt, wallMs, sumItemMs, speedup, latencyP50Ms,
                latencyP95Ms, latencyP99Ms, reason, errors, output, false);
    }

    /** Items with a terminal result: {@code succeeded + failed}, where failed includes timed-out and cancelled. */
    public long finished() {
        return succeeded + failed;
    }

    /**
     * An error type and how many items ended with it.
     *
     * @param example one message of that type
     */
    public record ErrorCount(String type, long count, String example) {
    }
}
