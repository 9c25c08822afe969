package dev.fanout.dispatcher.dlq;

/**
 * What a replay did. Every dead letter on the topic is counted exactly once:
 * {@code scanned = replayed + alreadyReplayed + filteredOut + overLimit + noTarget}.
 *
 * @param dryRun          nothing was sent: {@code replayed} counts what would have been
 * @param scanned         dead letters read
 * @param replayed        republished (and recorded in the ledger)
 * @param alreadyReplayed skipped: the ledger holds them (use {@code --force})
 * @param filteredOut     skipped: the filter did not match
 * @param overLimit       skipped: matched after {@code --limit} was reached
 * @param noTarget        skipped: no {@code --to} and no original topic in the headers
 */
public record ReplaySummary(boolean dryRun, long scanned, long replayed, long alreadyReplayed, long filteredOut,
        long overLimit, long noTarget) {
}
