package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * A named rate limit for the whole worker group: at most {@code limit} items per {@code period}, summed over every
 * worker. Each worker takes a share proportional to the partitions it owns.
 */
public record RateLimitSpec(int limit, Duration period) {

    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);

    public RateLimitSpec {
        if (limit < 1) {
            throw new ConfigException("rateLimiters.<name>.limit must be >= 1, was " + limit);
        }
        period = Objects.requireNonNullElse(period, DEFAULT_PERIOD);
        if (period.isNegative() || period.toMillis() < 1) {
            throw new ConfigException("rateLimiters.<name>.period must be at least 1ms, was " + period);
        }
    }

    /** Items per second for the whole group. */
    public double perSecond() {
        return limit * 1000.0 / period.toMillis();
    }
}
