package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ResultsApi.ItemView;
import java.time.Instant;
import java.util.Objects;

/**
 * The counted outcome of one item, stored per {@code ItemKey.asString()}: its presence is what makes a second result
 * for the same item a duplicate. It keeps the user's {@code itemId}, so an item can be found by it.
 *
 * @param reason       why it failed; {@code null} on success
 * @param errorType    the last error's type; {@code null} when there is none
 * @param errorMessage the last error's message; {@code null} when there is none
 * @param output       the handler's output; {@code null} when there is none
 * @param attempts     attempts made; {@code null} in outcomes stored by earlier releases
 * @param startedAt    when the item started; {@code null} when unknown
 * @param workerId     the worker that ran it; {@code null} when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemOutcome(
        String itemId,
        ItemStatus status,
        FailureReason reason,
        String errorType,
        String errorMessage,
        long durationMs,
        boolean deadLettered,
        Instant finishedAt,
        JsonNode output,
        Integer attempts,
        Instant startedAt,
        String workerId) {

    public ItemOutcome {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(status, "status");
    }

    public static ItemOutcome of(ItemResult result) {
        return new ItemOutcome(result.itemId(), result.status(), result.reason(),
                result.error() == null ? null : result.error().type(),
                result.error() == null ? null : result.error().message(),
                result.durationMs(), result.deadLettered(), result.finishedAt(), result.output(), result.attempts(),
                result.startedAt(), result.workerId());
    }

    /** The results API's view of this outcome. */
    public ItemView view(String batchId, long index) {
        return new ItemView(batchId, itemId, index, status, reason,
                errorType == null ? null : new ItemError(errorType, errorMessage), output, attempts, startedAt,
                finishedAt, durationMs, workerId, deadLettered);
    }
}
