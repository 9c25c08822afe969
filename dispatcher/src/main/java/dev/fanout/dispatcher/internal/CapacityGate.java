package dev.fanout.dispatcher.internal;

import dev.fanout.dispatcher.QueueBounds;
import dev.fanout.dispatcher.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps a lane's backlog at or below {@code queue.maxSize}. Measuring the backlog (the worker group's lag) costs a
 * round trip, so between measurements the gate adds the items published since the last one to it, and measures
 * again when that estimate goes over the bound or the last measurement is older than {@link #RECHECK}. Over the
 * bound it waits, measuring every {@link #POLL}, or reports that there is no room. Takes a clock and a sleeper;
 * not thread-safe (one per dispatch).
 */
public final class CapacityGate {

    static final Duration RECHECK = Duration.ofSeconds(1);
    static final Duration POLL = Duration.ofMillis(250);

    private final long maxSize;
    private final LongSupplier backlog;
    private final String lane;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private long measured;
    private long publishedSince;
    private Instant measuredAt;

    /**
     * @param backlog measures the lane's backlog now
     * @param lane    names the lane in the waiting reason, e.g. {@code fanout.jobs.normal (worker group fanout.workers)}
     */
    public CapacityGate(long maxSize, LongSupplier backlog, String lane, InstantSource clock, Sleeper sleeper) {
        if (maxSize < 1) {
            throw new IllegalArgumentException(QueueBounds.MAX_SIZE + " must be >= 1, was " + maxSize);
        }
        this.maxSize = maxSize;
        this.backlog = backlog;
        this.lane = lane;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Returns when one more item may be published.
     *
     * @param wait   whether to wait for room; if false, an over-full lane returns false at once
     * @param onWait told why, before each wait
     * @return true when there is room, false when there is none and {@code wait} is false
     */
    public boolean awaitRoom(boolean wait, Consumer<String> onWait) throws InterruptedException {
        if (measuredAt != null && measured + publishedSince < maxSize
                && clock.instant().isBefore(measuredAt.plus(RECHECK))) {
            return true;
        }
        measure();
        while (measured >= maxSize) {
            if (!wait) {
                return false;
            }
            onWait.accept(reason());
            sleeper.sleep(POLL);
            measure();
        }
        return true;
    }

    /** Counts an item published since the last measurement. */
    public void onPublished() {
        publishedSince++;
    }

    /** The backlog at the last measurement. */
    public long lastBacklog() {
        return measured;
    }

    public long maxSize() {
        return maxSize;
    }

    private void measure() {
        measured = backlog.getAsLong();
        publishedSince = 0;
        measuredAt = clock.instant();
    }

    private String reason() {
        return String.format(Locale.ROOT, "capacity: lane %s has a backlog of %,d records, %s is %,d", lane, measured,
                QueueBounds.MAX_SIZE, maxSize);
    }
}
