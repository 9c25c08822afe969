package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The terminal record of one item's attempt chain, published on the results topic keyed by {@code batchId}.
 * A redelivered item may produce a second one; the aggregator counts the first per {@link #itemKey()}.
 *
 * @param status       the outcome
 * @param reason       why it failed; {@code null} on success
 * @param error        the last error; {@code null} on success
 * @param output       the handler's output; {@code null} on failure or when the handler returned nothing
 * @param attempts     attempts made in this chain
 * @param deadLettered whether a dead letter was written for this item
 * @param durationMs   time spent running the handler, summed over attempts
 * @param replayOf     on the result of a replayed dead letter: that dead letter, {@code <topic>/<partition>/<offset>};
 *                     the aggregator lets such a result replace the item's earlier failure (a new batch revision)
 * @param late         {@code true} on the supplement of a {@code TIMED_OUT} item under {@code onTimeout: continue}:
 *                     the handler's late output (or error), attached to the item's record but never counted again
 * @param job          where the job was first read, {@code <topic>/<partition>/<offset>} on its lane topic (retries and
 *                     parking keep it), so its payload can be looked up; {@code null} when unknown
 * @param queuedAt     when that job record was published (its timestamp): the start of the item's queued time;
 *                     {@code null} when unknown
 * @param compensation on the {@code SUCCEEDED} result of a job that named a {@link Compensation}: what the aggregator
 *                     needs to compensate the item; {@code null} otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemResult(
        int schemaVersion,
        String batchId,
        String itemId,
        long index,
        ItemStatus status,
        FailureReason reason,
        ItemError error,
        JsonNode output,
        int attempts,
        Instant startedAt,
        Instant finishedAt,
        long durationMs,
        String workerId,
        boolean deadLettered,
        String traceId,
        String replayOf,
        Boolean late,
        String job,
        Instant queuedAt,
        CompensationInput compensation) implements Envelopes.Versioned {

    public ItemResult {
        Envelopes.require(batchId, "batchId");
        Envelopes.require(itemId, "itemId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        if (status.isSuccess() && reason != null) {
            throw new IllegalArgumentException("a SUCCEEDED result has no reason, was " + reason);
        }
        if (!status.isSuccess() && reason == null) {
            throw new IllegalArgumentException("a " + status + " result needs a reason");
        }
        if (durationMs < 0) {
            throw new IllegalArgumentException("durationMs must be >= 0, was " + durationMs);
        }
        if (late != null && !late) {
            late = null;
        }
        if (late != null && status != ItemStatus.TIMED_OUT) {
            throw new IllegalArgumentException("only a TIMED_OUT result can be late, was " + status);
        }
        if (compensation != null && !status.isSuccess()) {
            throw new IllegalArgumentException("only a SUCCEEDED result carries a compensation, was " + status);
        }
    }

    /** A result without a compensation. */
    public ItemResult(int schemaVersion, String batchId, String itemId, long index, ItemStatus status,
            FailureReason reason, ItemError error, JsonNode output, int attempts, Instant startedAt,
            Instant finishedAt, long durationMs, String workerId, boolean deadLettered, String traceId,
            String replayOf, Boolean late, String job, Instant queuedAt) {
        this(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts, startedAt, finishedAt,
                durationMs, workerId, deadLettered, traceId, replayOf, late, job, queuedAt, null);
    }

    /** A first-run result: not a replay, not a late supplement. */
    public ItemResult(int schemaVersion, String batchId, String itemId, long index, ItemStatus status,
            FailureReason reason, ItemError error, JsonNode output, int attempts, Instant startedAt,
            Instant finishedAt, long durationMs, String workerId, boolean deadLettered, String traceId) {
        this(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts, startedAt, finishedAt,
                durationMs, workerId, deadLettered, traceId, null, null, null, null);
    }

    /** A result without the job's coordinates. */
    public ItemResult(int schemaVersion, String batchId, String itemId, long index, ItemStatus status,
            FailureReason reason, ItemError error, JsonNode output, int attempts, Instant startedAt,
            Instant finishedAt, long durationMs, String workerId, boolean deadLettered, String traceId,
            String replayOf, Boolean late) {
        this(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts, startedAt, finishedAt,
                durationMs, workerId, deadLettered, traceId, replayOf, late, null, null);
    }

    /** The same result, saying where its job was first read and when that record was published. */
    public ItemResult withJob(String jobRecord, Instant published) {
        return new ItemResult(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts,
                startedAt, finishedAt, durationMs, workerId, deadLettered, traceId, replayOf, late, jobRecord,
                published, compensation);
    }

    /** Whether this is the late supplement of a timed-out item rather than its outcome. */
    @JsonIgnore
    public boolean isLate() {
        return late != null && late;
    }

    /** The same result, marked as the outcome of a replay of the given dead letter. */
    public ItemResult asReplayOf(String deadLetter) {
        return new ItemResult(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts,
                startedAt, finishedAt, durationMs, workerId, deadLettered, traceId, deadLetter, late, job, queuedAt,
                compensation);
    }

    /** The same result, carrying what compensating its item needs. */
    public ItemResult withCompensation(CompensationInput input) {
        return new ItemResult(schemaVersion, batchId, itemId, index, status, reason, error, output, attempts,
                startedAt, finishedAt, durationMs, workerId, deadLettered, traceId, replayOf, late, job, queuedAt,
                input);
    }

    public ItemKey itemKey() {
        return new ItemKey(batchId, index);
    }
}
