package dev.fanout.worker.internal;

import dev.fanout.worker.RateLimitSpec;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This worker's share of a group-wide rate limit: {@code limit x owned / total} permits per period, where owned and
 * total count the partitions of the lanes the worker consumes. Recomputed on every rebalance, so N workers together
 * stay under the limit with no coordination service. The share is exact: a fractional share becomes a longer period
 * (e.g. 33.3 per second = 33 per 990 ms).
 */
public final class GroupRateLimiter {

    private static final Duration WAIT = Duration.ofDays(1);

    private final String name;
    private final RateLimitSpec spec;
    private final AtomicReference<RateLimiter> current;
    private volatile double share;

    public GroupRateLimiter(String name, RateLimitSpec spec) {
        this.name = name;
        this.spec = spec;
        this.current = new AtomicReference<>(RateLimiter.of(name, configFor(spec, 0, 1)));
    }

    /** Adopts the share for {@code owned} of {@code total} partitions. */
    public void rebalance(int owned, int total) {
        share = total == 0 ? 0 : spec.limit() * (double) owned / total;
        current.set(RateLimiter.of(name, configFor(spec, owned, total)));
    }

    /** Waits for a permit (the calling virtual thread parks). */
    public void acquire() throws InterruptedException {
        RateLimiter limiter = current.get();
        while (!limiter.acquirePermission()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted waiting for rate limiter " + name);
            }
            limiter = current.get();
        }
    }

    /** Permits per period this worker may use now. */
    public double share() {
        return share;
    }

    public String name() {
        return name;
    }

    static RateLimiterConfig configFor(RateLimitSpec spec, int owned, int total) {
        double permitsPerPeriod = total == 0 ? 0 : spec.limit() * (double) owned / total;
        long periodNanos = spec.period().toNanos();
        int permits;
        long refreshNanos;
        if (permitsPerPeriod <= 0) {
            permits = 1; // nothing owned: no items arrive; keep a trickle rather than an invalid config
            refreshNanos = periodNanos * Math.max(1, total);
        } else {
            permits = (int) Math.max(1, Math.floor(permitsPerPeriod));
            refreshNanos = (long) Math.ceil(periodNanos * permits / permitsPerPeriod);
        }
        return RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(Duration.ofNanos(refreshNanos))
                .timeoutDuration(WAIT)
                .build();
    }
}
