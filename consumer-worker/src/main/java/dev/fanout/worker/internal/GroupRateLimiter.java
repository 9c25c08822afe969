package dev.fanout.worker.internal;

import dev.fanout.worker.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This worker's part of a group-wide rate limit of {@code N} requests per period {@code P}, exact in every sliding
 * window: the requests of the whole group that reach the downstream in any interval {@code [x, x + P)} number at most
 * {@code N}, across workers and across rebalances, with no coordination service.
 *
 * <h2>The rules</h2>
 * <ul>
 *   <li><b>Shares.</b> The group's lane partitions, numbered {@code 0..T-1} in an order every worker agrees on
 *       ({@link LanePartitions}), carry {@code q(i) = floor((i+1)N/T) - floor(iN/T)} permits each. These add up to
 *       exactly {@code N}, each is at least {@code floor(N/T)}, and a run of consecutive partitions (what the range
 *       assignor hands a worker) gets its proportional share rounded down or up, so no permit is lost to rounding.
 *       The share a worker announces, {@code a(t)}, is the sum of {@code q(i)} over the partitions it owns at
 *       {@code t} ({@link #rebalance}).</li>
 *   <li><b>Window.</b> {@code P' = P + g}, with the guard {@code g} ({@link RateLimitSpec#guard()}, by default
 *       {@code min(P/20, 50 ms)}): the largest spread of the delay between a permit's use and its request reaching
 *       the downstream that the bound allows for (below). It costs {@code g / P'} of the throughput, at most 5% by
 *       default.</li>
 *   <li><b>Hand-over.</b> The share in force at {@code t} is {@code e(t) = min a(v), t - P' <= v <= t}
 *       ({@link ShareHistory}): a decrease counts at once, an increase only once {@code P'} has passed since it. A
 *       new limiter starts at share 0, so a joining worker waits {@code P'} after its first assignment.</li>
 *   <li><b>Log.</b> A permit is used at {@code u} only if fewer than {@code e(u)} permits were used in
 *       {@code (u - P', u]}; its use is logged at {@code u}.</li>
 *   <li><b>Reserve, then use.</b> An item waits for a {@link #reserve() reservation} before it takes any slot, and
 *       {@linkplain Reservation#use() uses} it inside its bulkheads the moment its handler starts, so the time logged
 *       is when the request leaves, not when the item began to queue for a bulkhead. A reservation is granted only
 *       while the log plus the reservations outstanding stay under {@code e}, so with the share unchanged a use
 *       never waits; after a decrease it waits until the log has room.</li>
 *   <li><b>Pacing.</b> Reservations follow slots {@code P'/e} apart, so a saturated worker spreads its permits
 *       evenly instead of sending {@code e} at once, and any window of {@code P} holds about {@code e P / P'} of
 *       them. Pacing is not needed for the bound.</li>
 * </ul>
 *
 * <h2>The bound</h2>
 * <ol>
 *   <li><i>One worker uses at most {@code a(t - P')} permits in any window {@code (t - P', t]}.</i> Let {@code u} be
 *       its last use in the window. Every use in the window is at or before {@code u} and after
 *       {@code t - P' >= u - P'}, so all of them were in the log when {@code u} was checked: there are at most
 *       {@code e(u)} of them, and {@code e(u) <= a(t - P')} because {@code u - P' <= t - P' < u}.</li>
 *   <li><i>The group uses at most {@code N} in any window {@code (t - P', t]}.</i> A worker announces the partitions
 *       it loses in {@code onPartitionsRevoked}, before it acknowledges the revocation, and the broker hands them to
 *       another worker only after that acknowledgement, so at every instant the owned sets are disjoint and the
 *       announced shares add up to at most {@code sum q(i) = N}. Summing (1) over the workers at the same instant
 *       {@code t - P'} gives {@code N}.</li>
 *   <li><i>The downstream sees at most {@code N} in any {@code [x, x + P)}.</i> A request used at {@code u} arrives
 *       at {@code u + d}, {@code d} in {@code [dmin, dmax]}. The arrivals in {@code [x, x + P)} were used in
 *       {@code [x - dmax, x + P - dmin)}, of length {@code P + (dmax - dmin)}. If the spread {@code dmax - dmin} is at
 *       most {@code g}, that is at most {@code P'}, so these uses all lie in {@code (t - P', t]} for {@code t} the
 *       last of them, and (2) bounds them by {@code N}.</li>
 * </ol>
 * The bound assumes: the spread of the delay from {@link Reservation#use()} to the downstream is within {@code g}
 * (the handler's own start and the network; garbage-collection or CPU stalls longer than {@code g} between the two
 * can break it); each worker's clock measures elapsed time (offsets between machines do not matter; a clock set
 * forward ends windows early, one set back only makes them longer); every worker of the group consumes the same
 * lanes; and a worker runs only while it is in the group (one that loses its partitions without a revocation, when
 * it missed its session timeout, is outside the bound until it notices, except that its replacement's share counts
 * only {@code P'} after it was assigned).
 *
 * <h2>Throughput</h2>
 * Under saturating demand a worker uses {@code e} permits per {@code P'}, so the group reaches {@code N} per
 * {@code P'} when every lane partition is owned. A worker whose share is 0 (it owns no lane partition, or only
 * partitions with {@code q(i) = 0} because {@code N < T}) runs none of its items for this limiter until a rebalance
 * gives it a share: a limit at least the number of lane partitions gives every owned partition a permit.
 *
 * <h2>Waiting</h2>
 * Reserving threads queue, parked, on a fair lock; only the first of them waits on time, on a condition that
 * re-reads the clock at least every {@value #RECHECK_MILLIS} ms (so an injected clock that jumps ahead releases it)
 * and is signalled on every rebalance, use and returned reservation. No waiter spins, and a virtual thread never pins
 * its carrier. Interruption ends a wait with an {@link InterruptedException} that names the limiter.
 *
 * <h2>Why not resilience4j's {@code RateLimiter} here</h2>
 * Its {@code AtomicRateLimiter} (2.3.0) reads {@code System.nanoTime()} itself, with no clock to inject, so it could
 * not follow the worker's {@link InstantSource} and its tests would have to sleep; and its fixed refresh cycles,
 * which allow twice the limit across a cycle boundary, are what this class replaces. The pacing it would add in front
 * of the log is three lines here, on the injected clock. The bulkheads stay on resilience4j.
 */
public final class GroupRateLimiter {

    static final long RECHECK_MILLIS = 250;
    private static final long NEVER = Long.MAX_VALUE;

    private final String name;
    private final RateLimitSpec spec;
    private final InstantSource clock;
    private final long window;
    /** Held by the one reserving thread that waits on time; the others queue behind it, parked, in order. */
    private final ReentrantLock turn = new ReentrantLock(true);
    /** Guards everything below. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** When the permits of the last window were used, in order of use (nanoseconds on the clock). */
    private final ArrayDeque<Long> uses = new ArrayDeque<>();
    private final ShareHistory shares;
    private int reserved;
    /** The pacing: the earliest time of the next reservation. */
    private long nextSlot = Long.MIN_VALUE;

    public GroupRateLimiter(String name, RateLimitSpec spec, InstantSource clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = spec.window().toNanos();
        this.shares = new ShareHistory(now(), window);
    }

    /** The permits partition {@code index} of {@code total} carries under a limit of {@code limit}. */
    static int shareOfPartition(int limit, int index, int total) {
        return (int) ((long) (index + 1) * limit / total - (long) index * limit / total);
    }

    /**
     * Announces the share of the lane partitions this worker now owns: a decrease is in force at once, an increase
     * after {@link #window()}.
     *
     * @param owned the owned partitions' numbers in {@code [0, total)} ({@link LanePartitions#indexesOf})
     * @param total the number of lane partitions of the group
     * @return the share announced
     */
    public int rebalance(Set<Integer> owned, int total) {
        int share = 0;
        for (int index : owned) {
            if (index < 0 || index >= total) {
                throw new IllegalArgumentException("partition number " + index + " is outside [0, " + total + ")");
            }
            share += shareOfPartition(spec.limit(), index, total);
        }
        lock.lock();
        try {
            if (shares.announce(now(), share)) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return share;
    }

    /**
     * Waits for a reservation, holding nothing else: take it before any bulkhead, {@linkplain Reservation#use() use}
     * it when the handler starts and {@linkplain Reservation#close() close} it in any case.
     *
     * @throws InterruptedException if interrupted while waiting (the wait is abandoned, nothing is reserved)
     */
    public Reservation reserve() throws InterruptedException {
        try {
            turn.lockInterruptibly();
            try {
                lock.lockInterruptibly();
                try {
                    while (true) {
                        long now = now();
                        long wait = untilReservable(now);
                        if (wait == 0) {
                            return reserveAt(now);
                        }
                        await(wait);
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                turn.unlock();
            }
        } catch (InterruptedException e) {
            throw interrupted("a reservation", e);
        }
    }

    /** A reservation if one can be had now, without waiting (for tests that drive the clock). */
    Optional<Reservation> tryReserve() {
        lock.lock();
        try {
            long now = now();
            return untilReservable(now) == 0 ? Optional.of(reserveAt(now)) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** The share in force now. */
    public int share() {
        lock.lock();
        try {
            return shares.inForce(now());
        } finally {
            lock.unlock();
        }
    }

    /** The share last announced (in force once a window has passed, if it was an increase). */
    public int announcedShare() {
        lock.lock();
        try {
            return shares.announced();
        } finally {
            lock.unlock();
        }
    }

    /** {@code P'}, the window over which this worker's uses are counted. */
    public Duration window() {
        return Duration.ofNanos(window);
    }

    public String name() {
        return name;
    }

    public RateLimitSpec spec() {
        return spec;
    }

    /**
     * Takes a reservation and moves the pacing on by {@code P'/e}: from the slot it used if it came less than a slot
     * late (so waiters that wake a little late do not lower the rate), else from {@code now} (after an idle time:
     * no catching up in a burst).
     */
    private Reservation reserveAt(long now) {
        reserved++;
        long gap = Math.ceilDiv(window, shares.inForce(now));
        boolean onTime = nextSlot != Long.MIN_VALUE && now - nextSlot < gap;
        nextSlot = (onTime ? nextSlot : now) + gap;
        return new Reservation(this);
    }

    /** 0 if a reservation can be had at {@code now}, else how long until it may. */
    private long untilReservable(long now) {
        forgetExpired(now);
        int share = shares.inForce(now);
        if (uses.size() + reserved < share) {
            return nextSlot <= now ? 0 : nextSlot - now;
        }
        return untilRoom(now);
    }

    /** 0 if a reserved permit can be used at {@code now}, else how long until it may. */
    private long untilUsable(long now) {
        forgetExpired(now);
        return uses.size() < shares.inForce(now) ? 0 : untilRoom(now);
    }

    /** Until the oldest use leaves the window or the share rises ({@link #NEVER}: only a signal helps). */
    private long untilRoom(long now) {
        long next = shares.nextRise(now);
        if (!uses.isEmpty()) {
            next = Math.min(next, uses.peekFirst() + window);
        }
        return next == NEVER ? NEVER : Math.max(1, next - now);
    }

    private void use() throws InterruptedException {
        try {
            lock.lockInterruptibly();
            try {
                while (true) {
                    long now = now();
                    long wait = untilUsable(now);
                    if (wait == 0) {
                        logUse(now);
                        return;
                    }
                    await(wait);
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            throw interrupted("its permit", e);
        }
    }

    private boolean tryUse() {
        lock.lock();
        try {
            long now = now();
            if (untilUsable(now) != 0) {
                return false;
            }
            logUse(now);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void logUse(long now) {
        reserved--;
        uses.addLast(now);
        changed.signalAll(); // the first reserver may be waiting for a use to expire
    }

    private void giveBack() {
        lock.lock();
        try {
            reserved--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void forgetExpired(long now) {
        while (!uses.isEmpty() && uses.peekFirst() + window <= now) {
            uses.removeFirst();
        }
    }

    private void await(long nanos) throws InterruptedException {
        changed.await(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS)), TimeUnit.NANOSECONDS);
    }

    private InterruptedException interrupted(String what, InterruptedException cause) {
        InterruptedException e = new InterruptedException("interrupted waiting for " + what + " of rate limiter "
                + name);
        e.initCause(cause);
        return e;
    }

    private long now() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * A permit reserved by one item's thread: {@link #use()} it as the handler starts, {@link #close()} it always
     * (which gives back a reservation never used). Confined to that thread.
     */
    public static final class Reservation implements AutoCloseable {

        private static final Reservation NONE = new Reservation(null);

        private final GroupRateLimiter limiter;
        private boolean settled;

        private Reservation(GroupRateLimiter limiter) {
            this.limiter = limiter;
        }

        /** A reservation for a handler without a rate limiter: using it never waits. */
        public static Reservation none() {
            return NONE;
        }

        /**
         * Logs the use of the permit now; waits only if the share fell since the reservation and the last window's
         * uses already fill it. Later calls do nothing.
         *
         * @throws InterruptedException if interrupted while waiting (the reservation stays open: close it)
         */
        public void use() throws InterruptedException {
            if (limiter != null && !settled) {
                limiter.use();
                settled = true;
            }
        }

        /** Uses the permit if that needs no wait (for tests that drive the clock). */
        boolean tryUse() {
            if (limiter != null && !settled) {
                settled = limiter.tryUse();
                return settled;
            }
            return true;
        }

        /** Gives the reservation back if it was not used. Idempotent. */
        @Override
        public void close() {
            if (limiter != null && !settled) {
                settled = true;
                limiter.giveBack();
            }
        }
    }
}
