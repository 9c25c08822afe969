package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.worker.internal.AdaptiveLimit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdaptiveLimitTest {

    /** A downstream that answers in 10 ms up to 50 calls at once and slows down beyond, by the given power. */
    private static long latencyMicros(int concurrent, double power) {
        double factor = concurrent <= 50 ? 1 : Math.pow(concurrent / 50.0, power);
        return Math.round(10_000 * factor);
    }

    @ParameterizedTest(name = "latency growing with load to the power {0}")
    @ValueSource(doubles = {1.0, 2.0})
    void theLimitClimbsWhileLatencyIsFlatAndSettlesNearTheLoadWhereTheDownstreamSlowsDown(double power) {
        List<Integer> applied = new ArrayList<>();
        AdaptiveLimit adaptive = new AdaptiveLimit(Concurrency.auto(4, 500), applied::add);
        List<Integer> settled = new ArrayList<>();
        for (int completion = 0; completion < 100_000; completion++) {
            int running = adaptive.limit(); // demand is unbounded: every slot is busy
            adaptive.record(latencyMicros(running, power), false, false, running);
            if (completion > 10_000) {
                settled.add(adaptive.limit());
            }
        }

        assertThat(applied.get(0)).as("first step up from the minimum").isGreaterThan(4);
        assertThat(settled).as("no ratchet upwards over 90,000 items")
                .allSatisfy(limit -> assertThat(limit).isBetween(35, 90));
        assertThat(settled.stream().mapToInt(Integer::intValue).max().orElseThrow()).isGreaterThan(50);
    }

    @Test
    void throttlingShrinksTheLimitDownToItsMinimumButNotBelow() {
        AdaptiveLimit adaptive = new AdaptiveLimit(Concurrency.auto(8, 64), limit -> { });
        for (int i = 0; i < 400; i++) {
            adaptive.record(10_000, false, false, adaptive.limit());
        }
        assertThat(adaptive.limit()).isEqualTo(64);

        for (int i = 0; i < 2_000; i++) {
            adaptive.record(10_000, false, true, adaptive.limit());
        }
        assertThat(adaptive.limit()).isEqualTo(8);
    }

    @Test
    void withoutDemandTheLimitStaysWhereItIs() {
        AdaptiveLimit adaptive = new AdaptiveLimit(Concurrency.auto(10, 100), limit -> { });
        for (int i = 0; i < 1_000; i++) {
            adaptive.record(10_000, false, false, 2);
        }
        assertThat(adaptive.limit()).isEqualTo(10);
    }

    @Test
    void manyErrorsCountAsOverload() {
        AdaptiveLimit adaptive = new AdaptiveLimit(Concurrency.auto(10, 100), limit -> { });
        for (int i = 0; i < 300; i++) {
            adaptive.record(10_000, false, false, adaptive.limit());
        }
        int before = adaptive.limit();
        for (int i = 0; i < 60; i++) {
            adaptive.record(10_000, i % 3 == 0, false, adaptive.limit());
        }
        assertThat(adaptive.limit()).isLessThan(before);
    }
}
