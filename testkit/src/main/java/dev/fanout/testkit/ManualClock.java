package dev.fanout.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests move by hand, safe to read from any thread. It starts at the real time (so record timestamps it
 * stamps stay within the broker's accepted range) and then moves only when told.
 */
public final class ManualClock implements InstantSource {

    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock stopped at the current real time. */
    public static ManualClock startingNow() {
        return new ManualClock(Instant.now());
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Moves the clock forward. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a clock moves forward only, was " + by);
        }
        now.updateAndGet(current -> current.plus(by));
    }
}
