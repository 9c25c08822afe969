package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * A named rate limit for the whole worker group: at most {@code limit} items per {@code period} in any sliding window,
 * summed over every worker. Each worker uses the parts of the limit that the lane partitions it owns carry, counted
 * over {@code period + guard} (see {@code GroupRateLimiter}).
 *
 * @param guard the allowance for the spread of the delay between a worker sending a request and the downstream
 *              counting it; {@code null} for the default, {@code min(period / 20, 50 ms)}. The bound holds when the
 *              spread stays within it; it costs {@code guard / (period + guard)} of the throughput
 */
public record RateLimitSpec(int limit, Duration period, Duration guard) {

    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);
    /** The default guard is the period divided by this (5%), and at most {@link #DEFAULT_MAX_GUARD}. */
    public static final int DEFAULT_GUARD_DIVISOR = 20;
    public static final Duration DEFAULT_MAX_GUARD = Duration.ofMillis(50);

    public RateLimitSpec {
        if (limit < 1) {
            throw new ConfigException("rateLimiters.<name>.limit must be >= 1, was " + limit);
        }
        period = Objects.requireNonNullElse(period, DEFAULT_PERIOD);
        if (period.isNegative() || period.toMillis() < 1) {
            throw new ConfigException("rateLimiters.<name>.period must be at least 1ms, was " + period);
        }
        guard = Objects.requireNonNullElse(guard, defaultGuard(period));
        if (guard.isNegative() || guard.compareTo(period) > 0) {
            throw new ConfigException("rateLimiters.<name>.guard must be between 0 and the period (" + period
                    + "), was " + guard);
        }
    }

    /** A limit with the default guard. */
    public RateLimitSpec(int limit, Duration period) {
        this(limit, period, null);
    }

    /** {@code min(period / 20, 50 ms)}. */
    public static Duration defaultGuard(Duration period) {
        Duration share = period.dividedBy(DEFAULT_GUARD_DIVISOR);
        return share.compareTo(DEFAULT_MAX_GUARD) < 0 ? share : DEFAULT_MAX_GUARD;
    }

    /** {@code period + guard}: the window over which each worker counts its requests. */
    public Duration window() {
        return period.plus(guard);
    }

    /** Items per second for the whole group. */
    public double perSecond() {
        return limit * 1000.0 / period.toMillis();
    }
}
