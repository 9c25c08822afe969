package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.worker.internal.OffsetTracker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);

    @Test
    void theCommittableOffsetIsTheLowestUnfinishedOne() {
        OffsetTracker tracker = new OffsetTracker();
        for (long offset = 10; offset < 15; offset++) {
            tracker.register(P0, offset);
        }
        tracker.finish(P0, 12);
        tracker.finish(P0, 13);
        assertThat(tracker.committable(P0)).contains(new OffsetAndMetadata(10));

        tracker.finish(P0, 10);
        assertThat(tracker.committable(P0)).contains(new OffsetAndMetadata(11));

        tracker.finish(P0, 11);
        tracker.finish(P0, 14);
        assertThat(tracker.committable(P0)).contains(new OffsetAndMetadata(15));
        assertThat(tracker.unfinished()).isZero();
    }

    @Test
    void onlyPartitionsWhoseOffsetMovedAreReportedForCommit() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(P0, 0);
        tracker.register(P1, 0);
        tracker.finish(P0, 0);

        assertThat(tracker.committable()).containsOnlyKeys(P0, P1);
        assertThat(tracker.committable()).isEmpty();

        tracker.finish(P1, 0);
        assertThat(tracker.committable()).containsExactlyEntriesOf(java.util.Map.of(P1, new OffsetAndMetadata(1)));
    }

    @Test
    void aForgottenPartitionIgnoresLateFinishes() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(P0, 5);
        tracker.forget(P0);
        tracker.finish(P0, 5);

        assertThat(tracker.committable(P0)).isEmpty();
        assertThat(tracker.unfinished()).isZero();
    }

    @Test
    void awaitFinishedReturnsOnceTheLastRecordOfThePartitionsFinishes() throws Exception {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(P0, 0);
        tracker.register(P1, 0);
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return tracker.awaitFinished(List.of(P0), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(drained).isNotDone();

        tracker.finish(P0, 0);

        assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(tracker.unfinished(P1)).isOne();
    }

    @Test
    void awaitFinishedGivesUpAfterItsTimeout() throws Exception {
        OffsetTracker tracker = new OffsetTracker();
        tracker.register(P0, 0);

        assertThat(tracker.awaitFinished(List.of(P0), Duration.ofMillis(20))).isFalse();
    }
}
