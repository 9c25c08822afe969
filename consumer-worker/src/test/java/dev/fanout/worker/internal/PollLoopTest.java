package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poll loop on a {@link MockConsumer}: commits, backpressure and rebalances, with the test completing each
 * record's outcome by hand. Rebalances run as poll tasks, so the listener runs on the loop's thread as it does with a
 * real consumer (the classic {@code MockConsumer} calls it from {@code rebalance(...)}).
 */
class PollLoopTest {

    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final Topics topics = Topics.ofDefaults();
    private final String normal = topics.jobs(Lane.NORMAL).name();
    private final String high = topics.jobs(Lane.HIGH).name();
    private final TopicPartition normal0 = new TopicPartition(normal, 0);
    private final TopicPartition normal1 = new TopicPartition(normal, 1);
    private final TopicPartition high0 = new TopicPartition(high, 0);
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final RecordingConsumer consumer = new RecordingConsumer();
    private final Map<String, TrackedRecord> submitted = new ConcurrentHashMap<>();
    private final AtomicReference<Set<TopicPartition>> owned = new AtomicReference<>(Set.of());
    private final RetryWaits waits = new RetryWaits(clock);
    // never started: no signal in force
    private final ControlSignals signals = new ControlSignals(KafkaSettings.of("127.0.0.1:9"), "w", clock);
    private PollLoop loop;

    @AfterEach
    void stopLoop() {
        if (loop != null && !loop.stopped().isDone()) {
            loop.stop();
            submitted.values().forEach(record -> record.complete(null, null));
            loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        }
        signals.close();
    }

    @Test
    void anOffsetIsCommittedOnlyOnceEveryOutcomeBelowItIsDurable() {
        start(100, Duration.ofSeconds(30), normal0);
        add(normal0, 0, 1, 2);
        await().until(() -> submitted.size() == 3);

        commitRound();
        assertThat(consumer.committedOffsets(normal0)).as("nothing durable yet").containsOnly(0L);

        durable(normal0, 1);
        durable(normal0, 2);
        commitRound();
        OffsetAndMetadata held = consumer.lastCommit(normal0);
        assertThat(held.offset()).as("offset 0 is in flight, so nothing above it is committed").isZero();
        OffsetMetadata metadata = OffsetMetadata.decode(held.offset(), held.metadata()).orElseThrow();
        assertThat(metadata.isFinished(1)).isTrue();
        assertThat(metadata.isFinished(2)).isTrue();
        assertThat(metadata.isFinished(0)).isFalse();

        durable(normal0, 0);
        commitRound();
        assertThat(consumer.lastCommit(normal0).offset()).isEqualTo(3);
    }

    @Test
    void noCommitIsMadeBeforeTheCommitIntervalHasPassedOnTheWorkersClock() {
        start(100, Duration.ofSeconds(30), normal0);
        add(normal0, 0);
        await().until(() -> submitted.size() == 1);
        durable(normal0, 0);

        awaitIterations();
        assertThat(consumer.committedOffsets(normal0)).isEmpty();

        commitRound();
        assertThat(consumer.committedOffsets(normal0)).containsExactly(1L);
    }

    @Test
    void aFailedPublishStopsTheLoopAndItsRecordIsNeverCommitted() {
        start(100, Duration.ofSeconds(30), normal0);
        add(normal0, 0, 1);
        await().until(() -> submitted.size() == 2);
        durable(normal0, 1);

        IllegalStateException failure = new IllegalStateException("results topic unreachable");
        submitted.get(key(normal0, 0)).complete(null, failure);

        loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(loop.failure()).isSameAs(failure);
        assertThat(consumer.closed()).isTrue();
        assertThat(consumer.committedOffsets(normal0)).containsOnly(0L);
    }

    @Test
    void aLanePausesWhenTheBufferReachesItsShareAndResumesAtHalfWhileAHigherLaneStillFetches() {
        start(4, Duration.ofSeconds(30), normal0, high0); // normal pauses at 3 unfinished, high at 4
        add(normal0, 0, 1, 2);
        await().until(() -> submitted.size() == 3);
        awaitIterations();
        assertThat(consumer.paused()).containsExactly(normal0);

        add(normal0, 3);
        add(high0, 0);
        await().until(() -> submitted.containsKey(key(high0, 0)));
        awaitIterations();
        assertThat(submitted).doesNotContainKey(key(normal0, 3));
        assertThat(consumer.paused()).containsExactlyInAnyOrder(normal0, high0);

        durable(high0, 0);
        durable(normal0, 0);
        awaitIterations();
        assertThat(consumer.paused()).as("2 unfinished: above half of the normal lane's 3").containsExactly(normal0);
        assertThat(submitted).doesNotContainKey(key(normal0, 3));

        durable(normal0, 1);
        await().until(() -> submitted.containsKey(key(normal0, 3)));
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void aRevokedPartitionIsDrainedBeforeItsOffsetsAreCommittedAndItsRetryWaitsHandOff() throws Exception {
        start(100, Duration.ofMinutes(5), normal0, normal1);
        add(normal0, 0, 1);
        add(normal1, 0);
        await().until(() -> submitted.size() == 3);
        durable(normal0, 1);
        CompletableFuture<RetryWaits.Outcome> retryWait = CompletableFuture.supplyAsync(() -> {
            try {
                return waits.await(normal0, clock.instant().plus(Duration.ofHours(1)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(normal1)));

        assertThat(retryWait.get(30, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.HAND_OFF);
        // the loop's thread is in the revoke callback now, waiting for offset 0; the consumer stays untouched
        assertThat(consumer.commits()).isEmpty();
        durable(normal0, 0);
        await().until(() -> !consumer.committedOffsets(normal0).isEmpty());
        assertThat(consumer.committedOffsets(normal0)).as("one commit, after the drain").containsExactly(2L);
        assertThat(consumer.committedOffsets(normal1)).as("kept partitions are not committed by the revoke").isEmpty();
        await().until(() -> owned.get().equals(Set.of(normal1)));
    }

    @Test
    void anItemUnfinishedWhenTheDrainTimesOutIsAbandonedAndItsOffsetStaysUncommitted() {
        start(100, Duration.ofMillis(200), normal0);
        add(normal0, 0, 1, 2);
        await().until(() -> submitted.size() == 3);
        durable(normal0, 0);
        durable(normal0, 2);

        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));

        await().until(() -> !consumer.committedOffsets(normal0).isEmpty());
        OffsetAndMetadata commit = consumer.lastCommit(normal0);
        assertThat(commit.offset()).as("offset 1 runs again at the next owner").isEqualTo(1);
        assertThat(OffsetMetadata.decode(1, commit.metadata()).orElseThrow().isFinished(2)).isTrue();
        await().until(() -> owned.get().isEmpty());

        durable(normal0, 1); // finishing late, after the partition has gone
        commitRound();
        assertThat(consumer.committedOffsets(normal0)).containsExactly(1L);
        assertThat(loop.unfinished()).isZero();
    }

    @Test
    void recordsThePreviousOwnerFinishedAreSkippedAndTheOnesItFetchedCountAsRedelivered() {
        java.util.BitSet finished = new java.util.BitSet();
        finished.set(1); // offset 6 finished above the committed 5; the previous owner had fetched up to 8
        OffsetAndMetadata previousCommit = new OffsetAndMetadata(5, new OffsetMetadata(5, 8, finished).encode());
        start(100, Duration.ofSeconds(30), () -> consumer.commitSync(Map.of(normal0, previousCommit)), normal0);
        add(normal0, 5, 6, 7, 8);

        await().untilAsserted(() -> assertThat(submitted.keySet()).containsExactlyInAnyOrder(
                key(normal0, 5), key(normal0, 7), key(normal0, 8)));
        assertThat(submitted).doesNotContainKey(key(normal0, 6));
        assertThat(submitted.get(key(normal0, 5)).deliveryCount()).isEqualTo(2);
        assertThat(submitted.get(key(normal0, 7)).deliveryCount()).isEqualTo(2);
        assertThat(submitted.get(key(normal0, 8)).deliveryCount()).isEqualTo(1);
        assertThat(loop.skipped()).isEqualTo(1);
    }

    @Test
    void stoppingDrainsInFlightItemsCommitsThemAndClosesTheConsumer() {
        start(100, Duration.ofMinutes(5), normal0);
        add(normal0, 0, 1);
        await().until(() -> submitted.size() == 2);
        durable(normal0, 1);

        loop.stop();
        assertThat(loop.stopped()).isNotDone();
        durable(normal0, 0);

        loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(loop.failure()).isNull();
        assertThat(consumer.committedOffsets(normal0)).containsExactly(2L);
        assertThat(consumer.closed()).isTrue();
    }

    private void start(int maxBuffered, Duration drainTimeout, TopicPartition... assignment) {
        start(maxBuffered, drainTimeout, () -> { }, assignment);
    }

    /**
     * Starts the loop and assigns it the partitions. {@code previousOwner} runs just before the assignment (the mock
     * forgets commits made before {@code subscribe}).
     */
    private void start(int maxBuffered, Duration drainTimeout, Runnable previousOwner, TopicPartition... assignment) {
        for (String topic : List.of(normal, high)) {
            consumer.updatePartitions(topic, List.of(partition(topic, 0), partition(topic, 1)));
            consumer.updateBeginningOffsets(Map.of(new TopicPartition(topic, 0), 0L, new TopicPartition(topic, 1), 0L));
        }
        DeferredRecords deferred = new DeferredRecords(topics, clock, "workers");
        List<String> deferredTopics = new ArrayList<>();
        topics.retryTiers().values().forEach(tier -> deferredTopics.add(tier.name()));
        deferredTopics.add(topics.parked().name());
        loop = new PollLoop(consumer, Map.of(normal, Lane.NORMAL, high, Lane.HIGH), true, deferredTopics,
                new DeferralGate(deferred, signals, clock), waits,
                record -> submitted.put(key(new TopicPartition(record.record().topic(), record.record().partition()),
                        record.record().offset()), record),
                maxBuffered, COMMIT_INTERVAL, drainTimeout, clock, (lanes, partitions) -> owned.set(lanes));
        Thread.ofPlatform().name("poll-loop-test").start(loop);
        consumer.schedulePollTask(() -> {
            previousOwner.run();
            consumer.rebalance(List.of(assignment));
        });
        await().until(() -> consumer.assignment().containsAll(List.of(assignment)));
    }

    private void add(TopicPartition partition, long... offsets) {
        for (long offset : offsets) {
            consumer.addRecord(new ConsumerRecord<>(partition.topic(), partition.partition(), offset, "k",
                    new byte[0]));
        }
    }

    private void durable(TopicPartition partition, long offset) {
        submitted.get(key(partition, offset)).complete(null, null);
    }

    /** Moves the worker's clock past the commit interval and waits until the loop has been round once since. */
    private void commitRound() {
        clock.advance(COMMIT_INTERVAL);
        awaitIterations();
    }

    /** Waits until the loop has finished an iteration that began after this call: two polls run, one after another. */
    private void awaitIterations() {
        for (int i = 0; i < 2; i++) {
            CountDownLatch polled = new CountDownLatch(1);
            consumer.schedulePollTask(polled::countDown);
            await().until(() -> polled.getCount() == 0);
        }
    }

    private static String key(TopicPartition partition, long offset) {
        return partition + "@" + offset;
    }

    private static PartitionInfo partition(String topic, int partition) {
        return new PartitionInfo(topic, partition, Node.noNode(), new Node[0], new Node[0]);
    }

    /**
     * A mock consumer that keeps every commit in order ({@code commitSync} commits through {@code commitAsync}), and
     * whose empty polls wait a moment, as a real poll does, instead of spinning.
     */
    private static final class RecordingConsumer extends MockConsumer<String, byte[]> {
        private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<String, byte[]> poll(Duration timeout) {
            ConsumerRecords<String, byte[]> records = super.poll(timeout);
            if (records.isEmpty() && !timeout.isZero()) {
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
            return records;
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                OffsetCommitCallback callback) {
            commits.add(Map.copyOf(offsets));
            super.commitAsync(offsets, callback);
        }

        List<Map<TopicPartition, OffsetAndMetadata>> commits() {
            return commits;
        }

        /** The offsets committed for the partition, oldest first. */
        List<Long> committedOffsets(TopicPartition partition) {
            return commits.stream().filter(commit -> commit.containsKey(partition))
                    .map(commit -> commit.get(partition).offset()).toList();
        }

        OffsetAndMetadata lastCommit(TopicPartition partition) {
            return commits.stream().filter(commit -> commit.containsKey(partition)).reduce((a, b) -> b)
                    .orElseThrow().get(partition);
        }
    }
}
