package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import java.time.Instant;
import dev.fanout.testkit.ManualClock;

class PacerTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));

    @Test
    void aRateLimitSpacesItemsEvenly() throws Exception {
        Pacer pacer = new Pacer(null, null, 10.0, clock, clock::advance);

        assertThat(sendTimes(pacer, 5)).containsExactly(0L, 100L, 200L, 300L, 400L);
    }

    @Test
    void groupsOfBatchSizeItemsArePublishedWithTheDelayBetweenThem() throws Exception {
        Pacer pacer = new Pacer(3, Duration.ofSeconds(1), null, clock, clock::advance);

        assertThat(sendTimes(pacer, 7)).containsExactly(0L, 0L, 0L, 1000L, 1000L, 1000L, 2000L);
    }

    @Test
    void groupsAndARateLimitTogetherKeepBoth() throws Exception {
        Pacer pacer = new Pacer(2, Duration.ofMillis(500), 4.0, clock, clock::advance);

        assertThat(sendTimes(pacer, 5)).containsExactly(0L, 250L, 750L, 1000L, 1500L);
        assertThat(sendTimes(pacer, 1)).containsExactly(250L);
    }

    @Test
    void aShortOversleepIsMadeUpSoTheAverageRateHolds() throws Exception {
        Pacer pacer = new Pacer(null, null, 10.0, clock, duration -> clock.advance(duration.plusMillis(50)));

        assertThat(sendTimes(pacer, 4)).containsExactly(0L, 150L, 250L, 350L);
    }

    @Test
    void aDispatchThatFellFarBehindDoesNotBurstToCatchUp() {
        Pacer pacer = new Pacer(null, null, 100.0, clock, clock::advance);
        pacer.onSent(clock.instant());
        clock.advance(Duration.ofSeconds(10)); // e.g. a long wait for window room

        int free = 0;
        while (pacer.delayBefore(clock.instant()).isZero()) {
            pacer.onSent(clock.instant());
            free++;
        }

        assertThat(free).isEqualTo(1);
    }

    @Test
    void waitsAreReportedWithTheFieldThatCausesThem() throws Exception {
        Pacer pacer = new Pacer(1, Duration.ofSeconds(2), null, clock, clock::advance);
        List<String> reasons = new ArrayList<>();
        pacer.awaitTurn(reasons::add);
        pacer.onSent();
        pacer.awaitTurn(reasons::add);

        assertThat(reasons).containsExactly("pacing: batchSize 1, then delayBetweenBatches 2s");
    }

    @Test
    void withoutPacingNothingWaits() throws Exception {
        Pacer pacer = new Pacer(null, null, null, clock, duration -> {
            throw new AssertionError("slept " + duration);
        });

        assertThat(sendTimes(pacer, 3)).containsExactly(0L, 0L, 0L);
    }

    private List<Long> sendTimes(Pacer pacer, int items) throws InterruptedException {
        long start = clock.millis();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            pacer.awaitTurn(reason -> { });
            times.add(clock.millis() - start);
            pacer.onSent();
        }
        return times;
    }
}
