package dev.fanout.worker.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;

/**
 * Short waits between attempts, held inside the worker on the worker's clock. When the worker gives up a partition
 * (revoke or shutdown) the waits of its items end at once, and those items hand their next attempt to a retry tier
 * with its due time and attempt number, so a restart neither loses the wait nor counts attempts again.
 *
 * <p>Waiters re-read the clock at least every {@value #RECHECK_MILLIS} ms, so an injected clock that jumps ahead
 * releases them. Uses a lock and condition rather than a monitor, so waiting virtual threads never pin a carrier.
 */
public final class RetryWaits {

    static final long RECHECK_MILLIS = 250;

    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<TopicPartition> handingOff = ConcurrentHashMap.newKeySet();
    private final Set<TopicPartition> lost = ConcurrentHashMap.newKeySet();

    /** How a wait ended. */
    enum Outcome {
        /** The time came: run the next attempt. */
        DUE,
        /** The worker is giving the partition up (revoke, shutdown): hand the next attempt to a retry tier. */
        HAND_OFF,
        /**
         * The partition was lost (its offsets cannot be committed any more): publish nothing, since its new owner
         * runs the record again from its committed offset, and a hand-off would start a second attempt chain.
         */
        LOST
    }

    public RetryWaits(InstantSource clock) {
        this.clock = clock;
    }

    /** Waits until {@code until} on the worker's clock, or until the partition is given up or lost. */
    Outcome await(TopicPartition partition, Instant until) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (lost.contains(partition)) {
                    return Outcome.LOST;
                }
                if (handingOff.contains(partition)) {
                    return Outcome.HAND_OFF;
                }
                Duration left = Duration.between(clock.instant(), until);
                if (left.isZero() || left.isNegative()) {
                    return Outcome.DUE;
                }
                changed.await(Math.min(left.toMillis() + 1, RECHECK_MILLIS), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the waits on these partitions: their items hand off their next attempt. */
    void handOff(Collection<TopicPartition> partitions) {
        handingOff.addAll(partitions);
        signalAll();
    }

    /** Ends the waits on partitions this worker lost: their items publish nothing. */
    void lose(Collection<TopicPartition> partitions) {
        lost.addAll(partitions);
        signalAll();
    }

    /** The partitions are owned again: waits on them wait in full. */
    void release(Collection<TopicPartition> partitions) {
        handingOff.removeAll(partitions);
        lost.removeAll(partitions);
    }

    private void signalAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
