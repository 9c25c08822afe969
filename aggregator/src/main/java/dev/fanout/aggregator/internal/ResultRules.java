package dev.fanout.aggregator.internal;

import dev.fanout.protocol.ItemResult;
import java.util.Objects;

/**
 * What an item result does to its batch: a pure function of the result, the item's stored outcome and the batch's
 * state. Counts change at most once per item and direction (unsuccessful to succeeded), so duplicates of any kind of
 * result, replays and late supplements included, never count twice.
 *
 * <ul>
 *   <li>A batch whose items were removed after the retention period takes nothing more.</li>
 *   <li>A plain result is counted when it is the item's first; later ones are duplicates.</li>
 *   <li>A late supplement ({@code late}) is attached to the item's outcome; when the item has none, it stands for
 *       the item's {@code TIMED_OUT} result and is counted once.</li>
 *   <li>A replay result ({@code replayOf}) of an item counted as unsuccessful replaces its outcome when it succeeded
 *       (the counts move from failed to succeeded), and only updates the stored error when it failed again. For an
 *       item counted as succeeded it is a duplicate. For an item the aggregator never saw, it is counted as the
 *       item's first result while the batch is known and not every item is counted; otherwise nothing matches it.</li>
 * </ul>
 */
public final class ResultRules {

    private ResultRules() {
    }

    /** What to do with a result. */
    public enum Effect {
        /** The item's first result: store and count it. */
        COUNT,
        /** A replay that succeeded where the item had not: replace the outcome and move the counts. */
        REPLACE,
        /** A replay that failed again: update the stored error; the counts stay. */
        FAILED_AGAIN,
        /** A late supplement of a stored item: attach its output or error; the counts stay. */
        ATTACH_LATE,
        /** The item's outcome is already counted and this result does not change it. */
        DUPLICATE,
        /** The batch's items were removed after the retention period. */
        ITEMS_REMOVED,
        /** A replay result for an item the aggregator never saw, of an unknown or fully counted batch. */
        UNMATCHED_REPLAY
    }

    /**
     * @param result   the result read
     * @param previous the item's stored outcome, or {@code null} when there is none
     * @param batch    the batch's state, or {@code null} when the batch is unknown
     */
    public static Effect effectOf(ItemResult result, ItemOutcome previous, BatchState batch) {
        Objects.requireNonNull(result, "result");
        if (batch != null && batch.itemsRemoved()) {
            return Effect.ITEMS_REMOVED;
        }
        if (result.isLate()) {
            return previous == null ? Effect.COUNT : Effect.ATTACH_LATE;
        }
        if (result.replayOf() == null) {
            return previous == null ? Effect.COUNT : Effect.DUPLICATE;
        }
        if (previous == null) {
            return batch != null && !batch.allItemsCounted() ? Effect.COUNT : Effect.UNMATCHED_REPLAY;
        }
        if (previous.status().isSuccess()) {
            return Effect.DUPLICATE;
        }
        return result.status().isSuccess() ? Effect.REPLACE : Effect.FAILED_AGAIN;
    }

    /**
     * Whether counting this result changes a decided batch's outcome so that a new revision is due: a replay's. Plain
     * results and late supplements read after the decision are stored and counted, but they do not revise it.
     */
    public static boolean revises(ItemResult result, Effect effect) {
        return result.replayOf() != null && !result.isLate()
                && (effect == Effect.REPLACE || effect == Effect.COUNT);
    }

    /** The {@code TIMED_OUT} result a late supplement stands for: its identity, times and worker, no output or error. */
    public static ItemResult timedOutPart(ItemResult late) {
        return new ItemResult(late.schemaVersion(), late.batchId(), late.itemId(), late.index(), late.status(),
                late.reason(), null, null, late.attempts(), late.startedAt(), late.finishedAt(), late.durationMs(),
                late.workerId(), late.deadLettered(), late.traceId(), late.replayOf(), null, late.job(),
                late.queuedAt());
    }
}
