package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.dispatcher.internal.Pacer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacing a replay gets from {@code --rate}, on a clock that only the fake sleeper moves. */
class ReplayPacingTest {

    @Test
    void aRateOfFourPerSecondSpacesRecordsAQuarterSecondApartAndTheFirstGoesAtOnce() throws InterruptedException {
        FakeTime time = new FakeTime();
        Pacer pacer = new Pacer(null, null, ReplayOptions.parseRate("4/s"), time, time::sleep);

        for (int i = 0; i < 5; i++) {
            pacer.awaitTurn(reason -> { });
            pacer.onSent();
        }

        assertThat(time.sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250),
                Duration.ofMillis(250), Duration.ofMillis(250));
    }

    @Test
    void recordsThatAreSlowerThanTheRateAreNotHeldBack() throws InterruptedException {
        FakeTime time = new FakeTime();
        Pacer pacer = new Pacer(null, null, ReplayOptions.parseRate("120/m"), time, time::sleep);

        for (int i = 0; i < 3; i++) {
            pacer.awaitTurn(reason -> { });
            pacer.onSent();
            time.now = time.now.plusSeconds(1); // each send takes longer than the 500 ms interval
        }

        assertThat(time.sleeps).isEmpty();
    }

    @Test
    void withoutARateNothingWaits() throws InterruptedException {
        FakeTime time = new FakeTime();
        Pacer pacer = new Pacer(null, null, null, time, time::sleep);
        for (int i = 0; i < 3; i++) {
            pacer.awaitTurn(reason -> { });
            pacer.onSent();
        }
        assertThat(time.sleeps).isEmpty();
    }

    /** A clock that moves only when something sleeps on it, recording each sleep. */
    static final class FakeTime implements InstantSource {
        Instant now = Instant.parse("2026-11-22T00:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public synchronized Instant instant() {
            return now;
        }

        synchronized void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }
    }
}
