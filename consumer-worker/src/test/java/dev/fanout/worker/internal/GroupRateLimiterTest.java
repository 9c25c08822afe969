package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.worker.RateLimitSpec;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GroupRateLimiterTest {

    private static final RateLimitSpec HUNDRED_PER_SECOND = new RateLimitSpec(100, Duration.ofSeconds(1));

    private static double perSecond(RateLimiterConfig config) {
        return config.getLimitForPeriod() * 1e9 / config.getLimitRefreshPeriod().toNanos();
    }

    @Test
    void eachWorkerTakesAShareProportionalToItsPartitionsAndTheSharesAddUpToTheLimit() {
        double sum = 0;
        int[] owned = {3, 3, 2};
        for (int partitions : owned) {
            sum += perSecond(GroupRateLimiter.configFor(HUNDRED_PER_SECOND, partitions, 8));
        }
        assertThat(sum).isLessThanOrEqualTo(100.0).isGreaterThan(99.9);
    }

    @Test
    void aFractionalShareBecomesALongerPeriodRatherThanRoundingUp() {
        RateLimiterConfig config = GroupRateLimiter.configFor(HUNDRED_PER_SECOND, 1, 3);
        assertThat(config.getLimitForPeriod()).isEqualTo(33);
        assertThat(perSecond(config)).isLessThanOrEqualTo(100.0 / 3).isGreaterThan(33.3);

        RateLimiterConfig tiny = GroupRateLimiter.configFor(new RateLimitSpec(1, Duration.ofSeconds(1)), 1, 4);
        assertThat(tiny.getLimitForPeriod()).isEqualTo(1);
        assertThat(tiny.getLimitRefreshPeriod()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aWorkerThatOwnsEverythingGetsTheWholeLimit() {
        GroupRateLimiter limiter = new GroupRateLimiter("api", HUNDRED_PER_SECOND);
        limiter.rebalance(8, 8);
        assertThat(limiter.share()).isEqualTo(100.0);
        assertThat(perSecond(GroupRateLimiter.configFor(HUNDRED_PER_SECOND, 8, 8))).isEqualTo(100.0);
    }
}
