package dev.fanout.worker.internal;

import dev.fanout.protocol.Lane;
import dev.fanout.worker.LanePolicy;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The order in which waiting items enter the worker's bulkhead: one slot per permit of {@code maxConcurrency};
 * when a slot frees, the next item comes from the lane the {@link LanePolicy} picks (strict priority, or smooth
 * weighted round-robin), first come first served within a lane. The bulkhead still enforces the limit; this gate
 * only decides who goes next. Thread-safe; waiters are virtual threads.
 */
public final class LaneGate {

    private final LanePolicy policy;
    private final Map<Lane, ArrayDeque<Waiter>> waiting = new EnumMap<>(Lane.class);
    private final Map<Lane, Integer> credit = new EnumMap<>(Lane.class);
    private int permits;
    private int inUse;

    public LaneGate(int permits, LanePolicy policy) {
        this.permits = permits;
        this.policy = policy;
        for (Lane lane : Lane.values()) {
            waiting.put(lane, new ArrayDeque<>());
            credit.put(lane, 0);
        }
    }

    /** Waits for a slot; items of higher-priority lanes waiting at the same time go first. */
    public void acquire(Lane lane) throws InterruptedException {
        Waiter waiter;
        synchronized (this) {
            if (inUse < permits && nobodyWaiting()) {
                inUse++;
                return;
            }
            waiter = new Waiter(Thread.currentThread());
            waiting.get(lane).addLast(waiter);
        }
        while (!waiter.granted) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                synchronized (this) {
                    if (waiting.get(lane).remove(waiter)) {
                        throw new InterruptedException("interrupted while waiting for a slot");
                    }
                }
                // granted while being interrupted: keep the slot and the interrupt
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Frees a slot and hands it to the next waiter, if any. */
    public void release() {
        Waiter next;
        synchronized (this) {
            inUse--;
            next = inUse < permits ? next() : null;
            if (next != null) {
                inUse++;
            }
        }
        if (next != null) {
            next.grant();
        }
    }

    /** Changes the number of slots (adaptive concurrency); waiters are let in as slots appear. */
    public void resize(int newPermits) {
        int grant;
        synchronized (this) {
            permits = newPermits;
            grant = Math.max(0, permits - inUse);
        }
        for (int i = 0; i < grant; i++) {
            Waiter next;
            synchronized (this) {
                next = inUse < permits ? next() : null;
                if (next == null) {
                    return;
                }
                inUse++;
            }
            next.grant();
        }
    }

    /** Items waiting for a slot, per lane (for tests and metrics). */
    public synchronized int waiting(Lane lane) {
        return waiting.get(lane).size();
    }

    private boolean nobodyWaiting() {
        return waiting.values().stream().allMatch(ArrayDeque::isEmpty);
    }

    /** The next waiter by the policy; caller holds the lock. */
    private Waiter next() {
        if (!policy.weighted()) {
            for (Lane lane : Lane.values()) {
                Waiter waiter = waiting.get(lane).pollFirst();
                if (waiter != null) {
                    return waiter;
                }
            }
            return null;
        }
        // smooth weighted round-robin over the lanes that have waiters
        int total = 0;
        Lane best = null;
        for (Lane lane : Lane.values()) {
            if (waiting.get(lane).isEmpty()) {
                continue;
            }
            int weight = policy.weights().get(lane);
            total += weight;
            credit.merge(lane, weight, Integer::sum);
            if (best == null || credit.get(lane) > credit.get(best)) {
                best = lane;
            }
        }
        if (best == null) {
            return null;
        }
        credit.merge(best, -total, Integer::sum);
        return waiting.get(best).pollFirst();
    }

    private static final class Waiter {
        private final Thread thread;
        private volatile boolean granted;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        void grant() {
            granted = true;
            LockSupport.unpark(thread);
        }
    }
}
