package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.CompensationInput;
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
 * @param replayOf     the dead letter ({@code <topic>/<partition>/<offset>}) whose replay produced the latest result
 *                     taken for this item; {@code null} when it was never replayed
 * @param lateOutput   a timed-out item's output, from the handler that finished after its timeout
 *                     ({@code onTimeout: continue}); {@code null} when there is none
 * @param lateError    the error of such a handler that failed after its timeout; {@code null} when there is none
 * @param errorStack   the top of the last error's stack trace; {@code null} when there is none
 * @param job          where the item's job was first read ({@code <topic>/<partition>/<offset>}); {@code null} when
 *                     unknown
 * @param queuedAt     when that job was published; {@code null} when unknown
 * @param compensation what compensating this succeeded item needs (from its result), kept until it is compensated;
 *                     {@code null} otherwise
 * @param compensatedAs the index of its job in the batch's compensation batch once compensated; {@code null} before
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
        String workerId,
        String replayOf,
        JsonNode lateOutput,
        ItemError lateError,
        String errorStack,
        String job,
        Instant queuedAt,
        CompensationInput compensation,
        Long compensatedAs) {

    public ItemOutcome {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(status, "status");
    }

    /**
     * The outcome a result records. A late supplement read before (or instead of) its item's {@code TIMED_OUT}
     * result stands for that result: a {@code TIMED_OUT} outcome whose late output or error is attached.
     */
    public static ItemOutcome of(ItemResult result) {
        if (result.isLate()) {
            return of(ResultRules.timedOutPart(result)).withLate(result.output(), result.error());
        }
        return new ItemOutcome(result.itemId(), result.status(), result.reason(),
                result.error() == null ? null : result.error().type(),
                result.error() == null ? null : result.error().message(),
                result.durationMs(), result.deadLettered(), result.finishedAt(), result.output(), result.attempts(),
                result.startedAt(), result.workerId(), result.replayOf(), null, null,
                result.error() == null ? null : result.error().stack(), result.job(), result.queuedAt(),
                result.compensation(), null);
    }

    /** This outcome with a late supplement's output and error attached (the latest supplement wins). */
    public ItemOutcome withLate(JsonNode lateOutput, ItemError lateError) {
        return new ItemOutcome(itemId, status, reason, errorType, errorMessage, durationMs, deadLettered, finishedAt,
                output, attempts, startedAt, workerId, replayOf, lateOutput, lateError, errorStack, job, queuedAt,
                compensation, compensatedAs);
    }

    /** This outcome once compensated by job {@code index} of the compensation batch (its input is dropped). */
    public ItemOutcome withCompensatedAs(long index) {
        return new ItemOutcome(itemId, status, reason, errorType, errorMessage, durationMs, deadLettered, finishedAt,
                output, attempts, startedAt, workerId, replayOf, lateOutput, lateError, errorStack, job, queuedAt,
                null, index);
    }

    /**
     * This unsuccessful outcome after a replay that failed again: the replay's error, times, attempts and worker
     * replace the earlier ones; the status, reason and dead-letter flag it was counted with stay, so the counts stay
     * true.
     */
    public ItemOutcome withFailedReplay(ItemResult replay) {
        return new ItemOutcome(itemId, status, reason,
                replay.error() == null ? errorType : replay.error().type(),
                replay.error() == null ? errorMessage : replay.error().message(),
                replay.durationMs(), deadLettered, replay.finishedAt(), output,
                replay.attempts(), replay.startedAt(), replay.workerId(), replay.replayOf(), lateOutput, lateError,
                replay.error() == null ? errorStack : replay.error().stack(), job, queuedAt, compensation,
                compensatedAs);
    }

    /** The type under which this unsuccessful outcome's error was counted in the batch's top errors. */
    String countedErrorType() {
        return errorType != null ? errorType : String.valueOf(reason);
    }

    /** The results API's view of this outcome. */
    public ItemView view(String batchId, long index) {
        return new ItemView(batchId, itemId, index, status, reason,
                errorType == null ? null : new ItemError(errorType, errorMessage, errorStack), output, attempts,
                startedAt, finishedAt, durationMs, workerId, deadLettered, replayOf, lateOutput, lateError, job,
                queuedAt);
    }
}
