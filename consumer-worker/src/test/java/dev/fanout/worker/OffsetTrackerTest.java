package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.worker.internal.OffsetMetadata;
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

    private static long offset(OffsetTracker tracker, TopicPartition partition) {
        return tracker.committable(partition).orElseThrow().offset();
    }

    @Test
    void theCommittableOffsetIsTheLowestUnfinishedOne() {
        OffsetTracker tracker = new OffsetTracker();
        for (long offset = 10; offset < 15; offset++) {
            tracker.register(P0, offset);
        }
        tracker.finish(P0, 12);
        tracker.finish(P0, 13);
        assertThat(offset(tracker, P0)).isEqualTo(10);

        tracker.finish(P0, 10);
        assertThat(offset(tracker, P0)).isEqualTo(11);

        tracker.finish(P0, 11);
        tracker.finish(P0, 14);
        assertThat(offset(tracker, P0)).isEqualTo(15);
        assertThat(tracker.unfinished()).isZero();
    }

    @Test
    void theCommitRemembersWhatFinishedAboveItAndWhatWasFetched() {
        OffsetTracker tracker = new OffsetTracker();
        for (long offset = 100; offset < 110; offset++) {
            tracker.register(P0, offset);
        }
        tracker.finish(P0, 101);
        tracker.finish(P0, 105);
        OffsetAndMetadata commit = tracker.committable(P0).orElseThrow();

        OffsetMetadata metadata = OffsetMetadata.decode(commit.offset(), commit.metadata()).orElseThrow();
        assertThat(commit.offset()).isEqualTo(100);
        assertThat(metadata.isFinished(101)).isTrue();
        assertThat(metadata.isFinished(105)).isTrue();
        assertThat(metadata.isFinished(100)).isFalse();
        assertThat(metadata.isFinished(102)).isFalse();
        assertThat(metadata.wasDelivered(109)).isTrue();
        assertThat(metadata.wasDelivered(110)).isFalse();
        assertThat(tracker.span(P0)).isEqualTo(10);
    }

    @Test
    void metadataWrittenByAnotherToolReadsAsNothingRemembered() {
        assertThat(OffsetMetadata.decode(5, "")).isEmpty();
        assertThat(OffsetMetadata.decode(5, "v1;f=oops;b=")).isEmpty();
        assertThat(OffsetMetadata.decode(5, null)).isEmpty();
    }

    @Test
    void aFullSpanOfFinishedRecordsStaysWellInsideKafkasMetadataLimit() {
        OffsetTracker tracker = new OffsetTracker();
        for (long offset = 0; offset < OffsetMetadata.MAX_SPAN + 1; offset++) {
            tracker.register(P0, offset);
            if (offset % 2 == 1) {
                tracker.finish(P0, offset);
            }
        }
        assertThat(tracker.committable(P0).orElseThrow().metadata()).hasSizeLessThan(2_100);
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
        assertThat(tracker.committable()).containsOnlyKeys(P1);
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
