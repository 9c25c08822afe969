package dev.fanout.worker.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import dev.fanout.protocol.Lane;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker's only consumer thread: polls the jobs lanes, the retry tiers and the parking topic, hands records to
 * the scheduler, pauses fetching while too many records are unfinished (backpressure) or while a deferred record is
 * not yet due (seeking back to it, so nothing waits in memory), and commits per partition only offsets below which
 * every outcome is durable, periodically and on revoke and shutdown. Before draining partitions it gives up, it ends
 * the in-memory retry waits on them, so those items hand their next attempt to a retry tier.
 */
public final class PollLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long the loop waits between polls while partitions are paused and nothing came. */
    private static final Duration PAUSED_POLL_WAIT = Duration.ofMillis(5);
    /** The share of {@code maxBuffered} at which each lane (by ordinal: high, normal, low) stops being fetched. */
    private static final double[] LANE_SHARE = {1.0, 0.75, 0.5};

    /** Told of the lane partitions this worker owns, and of all the partitions of its lanes. */
    public interface AssignmentListener {
        void assigned(Set<TopicPartition> owned, LanePartitions lanes);
    }

    /** Where fetched records go; it calls back when each record's outcome is durable. */
    public interface RecordSink {
        void submit(TrackedRecord record);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics;
    private final DeferralGate deferrals;
    private final RetryWaits waits;
    private final Map<TopicPartition, DeferralGate.Wait> waiting = new HashMap<>();
    private final Map<String, Lane> laneOfTopic;
    private final boolean weighted;
    private final RecordSink sink;
    private final OffsetTracker offsets = new OffsetTracker();
    private final int maxBuffered;
    private final Duration commitInterval;
    private final Duration drainTimeout;
    private final InstantSource clock;
    private final AssignmentListener assignmentListener;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile long skipped;
    private final Map<TopicPartition, OffsetMetadata> previousOwner = new HashMap<>();
    private final Set<Lane> pausedLanes = EnumSet.noneOf(Lane.class);
    private Instant lastCommit;

    /**
     * @param laneOfTopic the jobs topics to consume, with their lanes
     * @param weighted    false for strict lane priority: lower lanes are not fetched while a higher one has lag
     * @param deferred    the retry tiers and parking topic, also consumed; {@code deferrals} says when their
     *                    records may go
     */
    public PollLoop(KafkaConsumer<String, byte[]> consumer, Map<String, Lane> laneOfTopic, boolean weighted,
            Collection<String> deferred, DeferralGate deferrals, RetryWaits waits, RecordSink sink, int maxBuffered,
            Duration commitInterval, Duration drainTimeout, InstantSource clock,
            AssignmentListener assignmentListener) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        List<String> all = new ArrayList<>(laneOfTopic.keySet());
        all.addAll(deferred);
        this.topics = List.copyOf(all);
        this.deferrals = Objects.requireNonNull(deferrals, "deferrals");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.laneOfTopic = Map.copyOf(laneOfTopic);
        this.weighted = weighted;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.maxBuffered = maxBuffered;
        this.commitInterval = commitInterval;
        this.drainTimeout = drainTimeout;
        this.clock = clock;
        this.assignmentListener = assignmentListener;
    }

    @Override
    public void run() {
        lastCommit = clock.instant();
        try {
            consumer.subscribe(topics, new Rebalance());
            while (running && fatal.get() == null) {
                ConsumerRecords<String, byte[]> records = pollOnce();
                for (TopicPartition partition : records.partitions()) {
                    submitUntilDeferred(partition, records.records(partition));
                }
                applyBackpressure();
                if (!clock.instant().isBefore(lastCommit.plus(commitInterval))) {
                    commitAsync();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                fatal.compareAndSet(null, e);
            }
        } catch (RuntimeException e) {
            fatal.compareAndSet(null, e);
            log.error("worker poll loop failed; stopping without committing unfinished items", e);
        } finally {
            shutdown();
        }
    }

    /**
     * One poll. With a partition paused by backpressure or lane priority, the consumer is polled without waiting and
     * the loop then waits a little itself: the KIP-848 consumer spins inside {@code poll(timeout)} while fetched data
     * of paused partitions sits in its buffer (KAFKA-21084), which under backpressure cost a third of the worker's
     * CPU.
     */
    private ConsumerRecords<String, byte[]> pollOnce() {
        if (waiting.keySet().containsAll(consumer.paused())) {
            // nothing paused, or only partitions held by the deferral gate, whose fetched data the seek dropped
            return consumer.poll(POLL_TIMEOUT);
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ZERO);
        if (records.isEmpty()) {
            LockSupport.parkNanos(PAUSED_POLL_WAIT.toNanos());
        }
        return records;
    }

    /** Asks the loop to drain and stop; returns at once. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Completes when the loop has drained, committed and closed its consumer. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** The error that stopped the loop, if any (a failed publish, a consumer error). */
    public Throwable failure() {
        return fatal.get();
    }

    public int unfinished() {
        return offsets.unfinished();
    }

    /**
     * Submits the partition's records in order; at the first deferred record that may not go yet, seeks the
     * partition back to it and leaves it waiting (paused) until its gate opens.
     */
    private void submitUntilDeferred(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records) {
        boolean gated = deferrals.applies(partition.topic());
        for (ConsumerRecord<String, byte[]> record : records) {
            if (gated && deferrals.isForeign(record)) {
                offsets.register(partition, record.offset()); // another group's: not ours to run, done at once
                offsets.finish(partition, record.offset());
                continue;
            }
            Optional<DeferralGate.Wait> wait = gated ? deferrals.check(record) : Optional.empty();
            if (wait.isPresent()) {
                consumer.seek(partition, record.offset());
                waiting.put(partition, wait.get());
                return;
            }
            submit(record);
        }
    }

    private void submit(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        offsets.register(partition, record.offset());
        OffsetMetadata before = previousOwner.get(partition);
        if (before != null && before.isFinished(record.offset())) {
            offsets.finish(partition, record.offset()); // its outcome is already on the results topic
            skipped++;
            return;
        }
        int deliveryCount = before != null && before.wasDelivered(record.offset()) ? 2 : 1;
        sink.submit(new TrackedRecord(record, deliveryCount, () -> offsets.finish(partition, record.offset()), error -> {
            if (fatal.compareAndSet(null, error)) {
                log.error("could not publish the outcome of {}@{}; stopping so the item is redelivered elsewhere",
                        partition, record.offset(), error);
                consumer.wakeup();
            }
        }));
    }

    /**
     * Backpressure and priority, decided after every poll:
     * <ul>
     *   <li>a lane pauses when the worker's unfinished records reach its share of {@code maxBuffered} (high 100%,
     *       normal 75%, low 50%) and resumes at half of it, so memory stays bounded and a full buffer of low items
     *       never keeps a high item from being fetched;</li>
     *   <li>a partition whose unfinished span reaches {@link OffsetMetadata#MAX_SPAN} pauses (resuming at half), so
     *       the commit metadata always describes every finished record above the committed offset;</li>
     *   <li>with strict priority, lower lanes pause while a higher lane has records waiting on the broker;</li>
     *   <li>a retry-tier or parking partition whose next record is not due stays paused until it is.</li>
     * </ul>
     */
    private void applyBackpressure() {
        int unfinished = offsets.unfinished();
        for (Lane lane : Lane.values()) {
            int limit = Math.max(1, (int) (maxBuffered * LANE_SHARE[lane.ordinal()]));
            if (unfinished >= limit) {
                pausedLanes.add(lane);
            } else if (unfinished <= limit / 2) {
                pausedLanes.remove(lane);
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        Set<TopicPartition> alreadyPaused = consumer.paused();
        Lane highestWithLag = weighted ? null : highestLaneWithLag(assigned);
        Set<TopicPartition> pause = new HashSet<>();
        waiting.values().removeIf(deferrals::over);
        for (TopicPartition partition : assigned) {
            if (waiting.containsKey(partition)) {
                pause.add(partition);
                continue;
            }
            long span = offsets.span(partition);
            boolean spanTooLong = alreadyPaused.contains(partition)
                    ? span > OffsetMetadata.MAX_SPAN / 2 : span >= OffsetMetadata.MAX_SPAN;
            Lane lane = laneOfTopic.getOrDefault(partition.topic(), Lane.NORMAL);
            // retry tiers and parking are never held back by lane priority: a high item's retry waits there too
            boolean lowerThanWaitingLane = highestWithLag != null && laneOfTopic.containsKey(partition.topic())
                    && lane.ordinal() > highestWithLag.ordinal();
            if (pausedLanes.contains(lane) || spanTooLong || lowerThanWaitingLane) {
                pause.add(partition);
            }
        }
        Set<TopicPartition> resume = new HashSet<>(alreadyPaused);
        resume.removeAll(pause);
        pause.removeAll(alreadyPaused);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Strict priority: the highest lane with records waiting on the broker, from the consumer's fetch positions. */
    private Lane highestLaneWithLag(Set<TopicPartition> assigned) {
        Lane highest = null;
        for (TopicPartition partition : assigned) {
            Lane lane = laneOfTopic.get(partition.topic());
            if (lane != null && (highest == null || lane.ordinal() < highest.ordinal())
                    && consumer.currentLag(partition).orElse(0) > 0) {
                highest = lane;
            }
        }
        return highest;
    }

    /** Records skipped because a previous owner had already recorded their outcome (for tests and metrics). */
    public long skipped() {
        return skipped;
    }

    private void commitAsync() {
        lastCommit = clock.instant();
        Map<TopicPartition, OffsetAndMetadata> committable = offsets.committable();
        if (!committable.isEmpty()) {
            consumer.commitAsync(committable, (done, error) -> {
                if (error != null) {
                    offsets.commitFailed(committable.keySet());
                    log.warn("offset commit failed ({}); it is retried at the next commit", error.toString());
                }
            });
        }
    }

    /**
     * Waits for the unfinished records of the given partitions, at most drainTimeout. Items waiting in memory for
     * their next attempt hand it to a retry tier at once.
     */
    private void drain(Collection<TopicPartition> partitions) {
        waits.handOff(partitions);
        try {
            if (!offsets.awaitFinished(partitions, drainTimeout)) {
                log.warn("drain timeout {} passed with {} items unfinished on {}; they will run again elsewhere",
                        drainTimeout, offsets.unfinished(), partitions);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition partition : partitions) {
            offsets.committable(partition).ifPresent(offset -> commit.put(partition, offset));
        }
        if (!commit.isEmpty()) {
            try {
                commitSyncOnce(commit);
            } catch (RuntimeException e) {
                log.warn("final offset commit for {} failed ({}); those items will be delivered again",
                        partitions, e.toString());
            }
        }
    }

    private void commitSyncOnce(Map<TopicPartition, OffsetAndMetadata> commit) {
        try {
            consumer.commitSync(commit);
        } catch (WakeupException pendingWakeup) {
            consumer.commitSync(commit); // stop() woke the consumer after the loop had already left poll()
        }
    }

    private void shutdown() {
        try {
            Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
            if (fatal.get() == null) {
                drain(assigned);
            }
            commitSync(assigned);
        } catch (RuntimeException e) {
            log.warn("worker shutdown: {}", e.toString());
        } finally {
            try {
                consumer.close();
            } finally {
                stopped.complete(null);
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            drain(partitions);
            commitSync(partitions);
            forget(partitions);
            announce(without(consumer.assignment(), partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            waits.release(partitions);
            if (!partitions.isEmpty()) {
                consumer.committed(new HashSet<>(partitions)).forEach((partition, commit) -> {
                    if (commit != null) {
                        OffsetMetadata.decode(commit.offset(), commit.metadata())
                                .ifPresent(metadata -> previousOwner.put(partition, metadata));
                    }
                });
            }
            Set<TopicPartition> pausedNow = new HashSet<>();
            for (TopicPartition partition : partitions) {
                if (pausedLanes.contains(laneOfTopic.getOrDefault(partition.topic(), Lane.NORMAL))) {
                    pausedNow.add(partition);
                }
            }
            if (!pausedNow.isEmpty()) {
                consumer.pause(pausedNow);
            }
            announce(Set.copyOf(consumer.assignment()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            waits.lose(partitions);
            forget(partitions);
            announce(without(consumer.assignment(), partitions));
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(offsets::forget);
            partitions.forEach(previousOwner::remove);
            partitions.forEach(waiting::remove);
        }

        /** Tells the listener the lane partitions owned (rate-limit shares follow the lanes, not the retry tiers). */
        private void announce(Set<TopicPartition> owned) {
            SortedMap<String, Integer> partitions = new TreeMap<>();
            for (String topic : laneOfTopic.keySet()) {
                partitions.put(topic, consumer.partitionsFor(topic).size());
            }
            Set<TopicPartition> lanes = new HashSet<>();
            for (TopicPartition partition : owned) {
                if (laneOfTopic.containsKey(partition.topic())) {
                    lanes.add(partition);
                }
            }
            assignmentListener.assigned(Set.copyOf(lanes), new LanePartitions(partitions));
        }

        /** During the callbacks the consumer still reports the partitions being taken away. */
        private static Set<TopicPartition> without(Set<TopicPartition> assignment, Collection<TopicPartition> gone) {
            Set<TopicPartition> remaining = new HashSet<>(assignment);
            gone.forEach(remaining::remove);
            return Set.copyOf(remaining);
        }
    }
}
