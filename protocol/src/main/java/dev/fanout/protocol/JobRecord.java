package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One item of a batch on a jobs lane: the value of a job record. The record key is the item's ordering key (or a
 * spread key when the batch is unordered); the same identity is repeated in the {@link FanoutHeaders}.
 *
 * @param schemaVersion {@link Envelopes#SCHEMA_VERSION}
 * @param batchId       the batch
 * @param itemId        the user's {@code id}, or the index as text
 * @param index         0-based position in the batch
 * @param total         items in the batch, or {@code null} while the batch is streamed and not yet sealed
 * @param handler       the handler name the worker must run
 * @param settings      handler settings for this item (batch defaults merged with the item's own), or {@code null}
 * @param payload       the item's input
 * @param traceId       {@code trace-<batchId>-<index>} unless the producer gave one
 * @param attempt       1 for the first delivery of an attempt chain; replays start again at 1
 * @param createdAt     when the dispatcher published the item
 * @param expiresAt     optional: a worker that has not started the item by then must not run it, but dead-letter
 *                      it with reason {@code EXPIRED} (the batch's {@code queue.timeout} after {@code createdAt});
 *                      {@code null} means it never expires
 * @param execution     optional: how the batch wants the item run (retry policy, timeout, output schema, dead
 *                      letters), over the worker's per-handler settings
 * @param compensation  optional: the handler that undoes this item if its batch fails ({@code policy.onFailure:
 *                      compensate}); a worker puts it, with the record key and the payload, on the item's
 *                      {@code SUCCEEDED} result ({@link CompensationInput})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(
        int schemaVersion,
        String batchId,
        String itemId,
        long index,
        Long total,
        String handler,
        JsonNode settings,
        JsonNode payload,
        String traceId,
        int attempt,
        Instant createdAt,
        Instant expiresAt,
        ItemExecution execution,
        Compensation compensation) implements Envelopes.Versioned {

    public JobRecord {
        Envelopes.require(batchId, "batchId");
        Envelopes.require(itemId, "itemId");
        Envelopes.require(handler, "handler");
        Envelopes.require(traceId, "traceId");
        Objects.requireNonNull(createdAt, "createdAt");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        if (total != null && (total < 1 || index >= total)) {
            throw new IllegalArgumentException("total must be > index (" + index + "), was " + total);
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        if (expiresAt != null && expiresAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("expiresAt must not be before createdAt (" + createdAt + "), was "
                    + expiresAt);
        }
        if (execution != null && execution.isEmpty()) {
            execution = null;
        }
    }

    /** A job without a compensation. */
    public JobRecord(int schemaVersion, String batchId, String itemId, long index, Long total, String handler,
            JsonNode settings, JsonNode payload, String traceId, int attempt, Instant createdAt, Instant expiresAt,
            ItemExecution execution) {
        this(schemaVersion, batchId, itemId, index, total, handler, settings, payload, traceId, attempt, createdAt,
                expiresAt, execution, null);
    }

    /** A job without execution settings of its own. */
    public JobRecord(int schemaVersion, String batchId, String itemId, long index, Long total, String handler,
            JsonNode settings, JsonNode payload, String traceId, int attempt, Instant createdAt, Instant expiresAt) {
        this(schemaVersion, batchId, itemId, index, total, handler, settings, payload, traceId, attempt, createdAt,
                expiresAt, null);
    }

    /** A job that never expires (no {@code expiresAt}). */
    public JobRecord(int schemaVersion, String batchId, String itemId, long index, Long total, String handler,
            JsonNode settings, JsonNode payload, String traceId, int attempt, Instant createdAt) {
        this(schemaVersion, batchId, itemId, index, total, handler, settings, payload, traceId, attempt, createdAt,
                null, null);
    }

    /** The same job at another attempt (a retry travelling through a retry topic keeps everything else). */
    public JobRecord withAttempt(int next) {
        return new JobRecord(schemaVersion, batchId, itemId, index, total, handler, settings, payload, traceId, next,
                createdAt, expiresAt, execution, compensation);
    }

    /** The same job naming the handler that undoes it ({@code null} for none). */
    public JobRecord withCompensation(Compensation undo) {
        return new JobRecord(schemaVersion, batchId, itemId, index, total, handler, settings, payload, traceId, attempt,
                createdAt, expiresAt, execution, undo);
    }

    /** Whether a worker starting the item at {@code now} is too late: {@code expiresAt} has passed. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && now.isAfter(expiresAt);
    }

    /** The trace id every item gets unless its producer sets one: {@code trace-<batchId>-<index>}. */
    public static String defaultTraceId(String batchId, long index) {
        return "trace-" + batchId + "-" + index;
    }

    public ItemKey itemKey() {
        return new ItemKey(batchId, index);
    }
}
