package dev.fanout.worker.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an idle worker stop fetching. The worker group's consumer fetches with a short {@code fetch.max.wait.ms}
 * (50 ms), so that a lane that backpressure resumes is fetched at once rather than after a fetch of the idle partitions
 * the broker holds; with nothing to fetch, that is 20 fetches a second. Once the poll loop has had nothing to do for
 * {@link #QUIET} (its polls brought no record, no record is unfinished and no partition is paused), it falls asleep:
 * it pauses every assigned partition, so its consumer sends no fetch, and hands their positions to a
 * {@link RecordWatch}, which waits for a record on any of them with a long fetch wait. Asleep, the loop polls without
 * waiting once per {@link #TICK} (rebalance callbacks, commits) and parks in between. It wakes, and resumes the
 * partitions it paused, when the watch sees a record, the assignment changes, a poll returns records or the loop
 * stops. Only the poll loop's thread calls it, except {@link #wake}.
 */
final class IdleSleep {

    /** How long the loop must have had nothing to do before it sleeps. */
    static final Duration QUIET = Duration.ofSeconds(2);
    /** How often a sleeping loop polls (rebalance callbacks) and commits. */
    static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(IdleSleep.class);

    private final Consumer<String, byte[]> consumer;
    private final RecordWatch watch;
    private final InstantSource clock;
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile Thread sleeper;
    private volatile boolean sleeping;
    private Instant quietSince;
    private Set<TopicPartition> paused;
    private volatile long sleeps;

    IdleSleep(Consumer<String, byte[]> consumer, RecordWatch watch, InstantSource clock) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.watch = Objects.requireNonNull(watch, "watch");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    boolean asleep() {
        return paused != null;
    }

    /** How many times the loop has fallen asleep (for tests and metrics). */
    long sleeps() {
        return sleeps;
    }

    /**
     * After an awake round of the loop: whether it had nothing to do. Falls asleep once that has lasted
     * {@link #QUIET}.
     */
    void awakeRound(boolean quiet) {
        if (!quiet) {
            quietSince = null;
            return;
        }
        Instant now = clock.instant();
        if (quietSince == null) {
            quietSince = now;
        } else if (Duration.between(quietSince, now).compareTo(QUIET) >= 0) {
            fallAsleep();
        }
    }

    /**
     * A round asleep: wakes if it was asked to or the assignment changed; otherwise polls without waiting (every
     * partition it knows is paused, so nothing is fetched) and, if that brought nothing, parks for at most a
     * {@link #TICK}. Returns what the poll brought (records of newly assigned partitions), which also wakes it.
     */
    ConsumerRecords<String, byte[]> asleepRound() {
        if (woken.get() || !consumer.assignment().equals(paused)) {
            wakeUp();
            return ConsumerRecords.empty();
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ZERO);
        if (!records.isEmpty()) {
            wakeUp();
        } else if (!woken.get()) {
            LockSupport.parkNanos(this, TICK.toNanos());
        }
        return records;
    }

    /** {@link #wake}, from any thread; whether the loop was asleep (a loop falling asleep meanwhile sleeps a tick). */
    boolean wakeIfAsleep() {
        wake();
        return sleeping;
    }

    /** Asks a sleeping loop to wake (from any thread): a record came, or the loop is stopping. */
    void wake() {
        woken.set(true);
        Thread thread = sleeper;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Wakes (if asleep) and stops watching, for good. */
    void close() {
        if (asleep()) {
            wakeUp();
        }
        watch.close();
    }

    private void fallAsleep() {
        Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
        Map<TopicPartition, Long> positions = new HashMap<>();
        try {
            for (TopicPartition partition : assigned) {
                positions.put(partition, consumer.position(partition, Duration.ofSeconds(1)));
            }
        } catch (RuntimeException e) {
            quietSince = null; // a position not known yet: stay awake, try again after the next quiet spell
            log.debug("poll loop stays awake: {}", e.toString());
            return;
        }
        woken.set(false);
        sleeper = Thread.currentThread();
        consumer.pause(assigned);
        paused = Set.copyOf(assigned);
        sleeping = true;
        sleeps++;
        if (!positions.isEmpty()) {
            watch.watch(positions, this::wake);
        }
    }

    private void wakeUp() {
        watch.cancel();
        Set<TopicPartition> resume = new HashSet<>(paused);
        resume.retainAll(consumer.assignment());
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        paused = null;
        sleeping = false;
        quietSince = null;
        woken.set(false);
    }
}
