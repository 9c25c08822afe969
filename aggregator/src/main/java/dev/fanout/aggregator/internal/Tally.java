package dev.fanout.aggregator.internal;

/**
 * The counts the decision rules look at.
 *
 * @param succeeded            distinct items that succeeded
 * @param unsuccessful         distinct items that ended otherwise (failed, timed out or cancelled)
 * @param firstFailedIndex     index of the first unsuccessful item counted that is still unsuccessful, or {@code null}
 *                             (none, or only items past the failed sample after replays replaced the others)
 * @param firstSucceededIndex  index of the first successful item counted (the race winner), or {@code null}
 */
public record Tally(long succeeded, long unsuccessful, Long firstFailedIndex, Long firstSucceededIndex) {

    public Tally {
        if (succeeded < 0 || unsuccessful < 0) {
            throw new IllegalArgumentException(
                    "counts must be >= 0, were succeeded=" + succeeded + ", unsuccessful=" + unsuccessful);
        }
    }

    /** Items with a terminal result. */
    public long finished() {
        return succeeded + unsuccessful;
    }
}
