package dev.fanout.worker.internal;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import dev.fanout.protocol.Lane;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's only consumer thread: polls the jobs lanes, the retry tiers and the parking topic and hands records to
 * the scheduler. Its jobs are split: {@link Backpressure} decides what is fetched (buffer limits, lane priority,
 * deferred records not yet due), {@link Commits} commits per partition only offsets below which every outcome is
 * durable, and {@link Rebalance} drains and commits partitions given up and reads what their previous owner recorded.
 * The loop itself polls, submits, and on stop drains, commits and closes the consumer; given a {@link RecordWatch},
 * it sleeps while it has nothing to do ({@link IdleSleep}).
 */
public final class PollLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long the loop waits between polls while partitions are paused and nothing came. */
    private static final Duration PAUSED_POLL_WAIT = Duration.ofMillis(5);

    /** Told of the lane partitions this worker owns, and of all the partitions of its lanes. */
    public interface AssignmentListener {
        void assigned(Set<TopicPartition> owned, LanePartitions lanes);
    }

    /** Where fetched records go; it calls back when each record's outcome is durable. */
    public interface RecordSink {
        void submit(TrackedRecord record);
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final DeferralGate deferrals;
    private final RecordSink sink;
    private final OffsetTracker offsets = new OffsetTracker();
    private final Backpressure backpressure;
    private final Commits commits;
    private final Rebalance rebalance;
    private final IdleSleep idle;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile long skipped;

    /**
     * @param consumer    the worker group's consumer, used only by this loop's thread (and {@link #stop})
     * @param laneOfTopic the jobs topics to consume, with their lanes
     * @param weighted    false for strict lane priority: lower lanes are not fetched while a higher one has lag
     * @param deferred    the retry tiers and parking topic, also consumed; {@code deferrals} says when their
     *                    records may go
     */
    public PollLoop(Consumer<String, byte[]> consumer, Map<String, Lane> laneOfTopic, boolean weighted,
            Collection<String> deferred, DeferralGate deferrals, RetryWaits waits, RecordSink sink, int maxBuffered,
            Duration commitInterval, Duration drainTimeout, InstantSource clock,
            AssignmentListener assignmentListener) {
        this(consumer, laneOfTopic, weighted, deferred, deferrals, waits, sink, maxBuffered, commitInterval,
                drainTimeout, clock, assignmentListener, null);
    }

    /**
     * @param watch when not null, the loop sleeps while it has nothing to do and this tells it when a record comes
     *              ({@link IdleSleep}); it closes the watch when it stops
     */
    public PollLoop(Consumer<String, byte[]> consumer, Map<String, Lane> laneOfTopic, boolean weighted,
            Collection<String> deferred, DeferralGate deferrals, RetryWaits waits, RecordSink sink, int maxBuffered,
            Duration commitInterval, Duration drainTimeout, InstantSource clock,
            AssignmentListener assignmentListener, RecordWatch watch) {
        this.idle = watch == null ? null : new IdleSleep(consumer, watch, clock);
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        List<String> all = new ArrayList<>(laneOfTopic.keySet());
        all.addAll(deferred);
        this.topics = List.copyOf(all);
        this.deferrals = Objects.requireNonNull(deferrals, "deferrals");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.backpressure = new Backpressure(consumer, offsets, deferrals, laneOfTopic, weighted, maxBuffered);
        this.commits = new Commits(consumer, offsets, waits, commitInterval, drainTimeout, clock);
        // rate-limit shares follow the lane partitions owned; a worker whose lanes are all on a share group owns
        // none, so its shares follow every partition the group assigns (retry tiers and parking)
        Map<String, Lane> shareTopics = new java.util.HashMap<>(laneOfTopic);
        if (shareTopics.isEmpty()) {
            deferred.forEach(topic -> shareTopics.put(topic, Lane.NORMAL));
        }
        this.rebalance = new Rebalance(consumer, offsets, commits, backpressure, waits, shareTopics,
                assignmentListener);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics, rebalance);
            while (running && fatal.get() == null) {
                boolean asleep = idle != null && idle.asleep();
                ConsumerRecords<String, byte[]> records = asleep ? idle.asleepRound() : pollOnce();
                for (TopicPartition partition : records.partitions()) {
                    submitUntilDeferred(partition, records.records(partition));
                }
                if (!asleep) {
                    backpressure.apply(); // asleep, every partition is paused until the loop wakes
                }
                commits.commitIfDue();
                if (idle != null && !asleep) {
                    idle.awakeRound(records.isEmpty() && offsets.unfinished() == 0 && consumer.paused().isEmpty());
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
        if (backpressure.onlyDeferredPaused()) {
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
        if (idle == null || !idle.wakeIfAsleep()) {
            consumer.wakeup(); // a sleeping loop is parked, not polling: a wake-up would wait for its next call
        }
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

    /** How many times the loop has slept for want of work ({@link IdleSleep}); 0 without a watch. */
    public long sleeps() {
        return idle == null ? 0 : idle.sleeps();
    }

    /** Records skipped because a previous owner had already recorded their outcome (for tests and metrics). */
    public long skipped() {
        return skipped;
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
                backpressure.hold(partition, wait.get());
                return;
            }
            submit(partition, record);
        }
    }

    private void submit(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        offsets.register(partition, record.offset());
        Optional<OffsetMetadata> before = rebalance.previousOwner(partition);
        if (before.isPresent() && before.get().isFinished(record.offset())) {
            offsets.finish(partition, record.offset()); // its outcome is already on the results topic
            skipped++;
            return;
        }
        int deliveryCount = before.isPresent() && before.get().wasDelivered(record.offset()) ? 2 : 1;
        sink.submit(new TrackedRecord(record, deliveryCount, () -> offsets.finish(partition, record.offset()), error -> {
            if (fatal.compareAndSet(null, error)) {
                log.error("could not publish the outcome of {}@{}; stopping so the item is redelivered elsewhere",
                        partition, record.offset(), error);
                consumer.wakeup();
            }
        }));
    }

    private void closeIdle() {
        try {
            if (idle != null) {
                idle.close();
            }
        } catch (RuntimeException e) {
            log.warn("worker shutdown: stopping the idle watch: {}", e.toString());
        }
    }

    private void shutdown() {
        try {
            Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
            if (fatal.get() == null) {
                commits.drainAndCommit(assigned);
            } else {
                commits.commitSync(assigned);
            }
        } catch (RuntimeException e) {
            log.warn("worker shutdown: {}", e.toString());
        } finally {
            try {
                closeIdle();
                consumer.close();
            } finally {
                stopped.complete(null);
            }
        }
    }
}
