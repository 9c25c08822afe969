package dev.fanout.worker.internal;

import java.util.ArrayDeque;

/**
 * The shares a worker announced for one rate limiter over the last window, and the share in force: the lowest share
 * announced at any time in {@code [now - window, now]}. So a decrease is in force at once and an increase only once
 * a whole window has passed since it was announced. Times are nanoseconds on the worker's clock. Not thread-safe:
 * {@link GroupRateLimiter} guards it.
 */
final class ShareHistory {

    /** From {@code at} on, the worker announced {@code share}. */
    private record Change(long at, int share) {
    }

    private final long window;
    /** In announcement order; the first is the one in force at {@code now - window}. */
    private final ArrayDeque<Change> changes = new ArrayDeque<>();

    /** A history that starts with share 0 at {@code start}: a new worker waits a window before its first share. */
    ShareHistory(long start, long window) {
        this.window = window;
        changes.add(new Change(start, 0));
    }

    /** Records the share announced at {@code at}; returns whether it differs from the last one. */
    boolean announce(long at, int share) {
        if (changes.getLast().share() == share) {
            return false;
        }
        changes.addLast(new Change(at, share));
        return true;
    }

    int announced() {
        return changes.getLast().share();
    }

    /**
     * The lowest share announced in {@code [now - window, now]}. Changes stamped after {@code now} (a clock set
     * back) count too, which can only lower it.
     */
    int inForce(long now) {
        forget(now);
        int lowest = Integer.MAX_VALUE;
        for (Change change : changes) {
            lowest = Math.min(lowest, change.share());
        }
        return lowest;
    }

    /** When the share in force may next rise ({@link Long#MAX_VALUE} if nothing is due to leave the window). */
    long nextRise(long now) {
        forget(now);
        if (changes.size() < 2) {
            return Long.MAX_VALUE;
        }
        var iterator = changes.iterator();
        iterator.next();
        return iterator.next().at() + window;
    }

    /** Drops the first change once the next one was already in force at {@code now - window}. */
    private void forget(long now) {
        while (changes.size() >= 2) {
            var iterator = changes.iterator();
            iterator.next();
            if (iterator.next().at() > now - window) {
                return;
            }
            changes.removeFirst();
        }
    }
}
