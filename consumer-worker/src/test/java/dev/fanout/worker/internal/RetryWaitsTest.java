package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RetryWaitsTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final RetryWaits waits = new RetryWaits(clock);
    private final TopicPartition partition = new TopicPartition("jobs", 0);

    @Test
    void aWaitEndsWhenTheInjectedClockReachesItsTime() throws Exception {
        CompletableFuture<RetryWaits.Outcome> waited = waitFor(Duration.ofSeconds(5));

        clock.advance(Duration.ofSeconds(5));

        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.DUE);
    }

    @Test
    void handingOffThePartitionEndsItsWaitsAtOnceButNotOthers() throws Exception {
        CompletableFuture<RetryWaits.Outcome> mine = waitFor(Duration.ofHours(1));
        TopicPartition other = new TopicPartition("jobs", 1);
        Instant theirDeadline = clock.instant().plusSeconds(2);
        CompletableFuture<RetryWaits.Outcome> theirs = CompletableFuture.supplyAsync(() -> await(other, theirDeadline));

        waits.handOff(List.of(partition));

        assertThat(mine.get(10, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.HAND_OFF);
        clock.advance(Duration.ofSeconds(2));
        assertThat(theirs.get(10, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.DUE);
        waits.release(List.of(partition));
        CompletableFuture<RetryWaits.Outcome> again = waitFor(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(again.get(10, TimeUnit.SECONDS)).as("owned again: waits in full")
                .isEqualTo(RetryWaits.Outcome.DUE);
    }

    @Test
    void aLostPartitionEndsItsWaitsWithoutAHandOff() throws Exception {
        CompletableFuture<RetryWaits.Outcome> mine = waitFor(Duration.ofHours(1));

        waits.lose(List.of(partition));

        assertThat(mine.get(10, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.LOST);
    }

    /** Starts waiting on {@code partition} until now + {@code wait}, the deadline fixed before this returns. */
    private CompletableFuture<RetryWaits.Outcome> waitFor(Duration wait) {
        Instant deadline = clock.instant().plus(wait);
        return CompletableFuture.supplyAsync(() -> await(partition, deadline));
    }

    private RetryWaits.Outcome await(TopicPartition which, Instant deadline) {
        try {
            return waits.await(which, deadline);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
