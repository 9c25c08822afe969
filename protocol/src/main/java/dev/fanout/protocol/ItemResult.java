package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

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
        String traceId) implements Envelopes.Versioned {

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
    }

    public ItemKey itemKey() {
        return new ItemKey(batchId, index);
    }
}
