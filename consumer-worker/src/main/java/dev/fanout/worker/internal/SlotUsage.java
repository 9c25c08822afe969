package dev.fanout.worker.internal;

import java.util.function.LongSupplier;

/**
 * Busy slot time: how long items held a slot of the worker's bulkhead, summed over slots, read as a running total so
 * that utilisation over any interval is {@code (busy(t2) - busy(t1)) / (limit x (t2 - t1))}. Exact for items that
 * span readings: an item still running counts up to the moment of the reading.
 */
public final class SlotUsage {

    private final LongSupplier nanoTime;
    private long finishedNanos;
    private long startsOfRunning;
    private int running;

    public SlotUsage(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** On the system's monotonic clock. */
    public static SlotUsage system() {
        return new SlotUsage(System::nanoTime);
    }

    /** An item took a slot; returns the time to hand back to {@link #left}. */
    public long entered() {
        long now = nanoTime.getAsLong();
        synchronized (this) {
            running++;
            startsOfRunning += now;
        }
        return now;
    }

    /** The item that entered at {@code enteredAt} gave its slot back. */
    public void left(long enteredAt) {
        long now = nanoTime.getAsLong();
        synchronized (this) {
            running--;
            startsOfRunning -= enteredAt;
            finishedNanos += now - enteredAt;
        }
    }

    /** Items holding a slot now. */
    public synchronized int running() {
        return running;
    }

    /** A reading: busy slot-nanoseconds since start, at a time on the same clock. */
    public synchronized Reading read() {
        long now = nanoTime.getAsLong();
        return new Reading(now, finishedNanos + running * now - startsOfRunning);
    }

    /** Busy slot time up to {@code atNanos}. */
    public record Reading(long atNanos, long busyNanos) {

        /** The share of {@code slots} slots that was busy between {@code earlier} and this reading, 0 to 1. */
        public double utilisationSince(Reading earlier, int slots) {
            long elapsed = atNanos - earlier.atNanos;
            if (elapsed <= 0 || slots <= 0) {
                return 0;
            }
            double share = (double) (busyNanos - earlier.busyNanos) / ((double) elapsed * slots);
            return Math.max(0, Math.min(1, share));
        }
    }
}
