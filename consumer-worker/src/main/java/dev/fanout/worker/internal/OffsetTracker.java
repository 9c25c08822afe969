package dev.fanout.worker.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each assigned partition are finished, that is whose outcome the broker has acknowledged. The
 * committable offset of a partition is the lowest unfinished offset (or one past the highest seen when none is
 * unfinished): everything below it is durably recorded. Thread-safe: the poll thread registers, item threads finish.
 */
public final class OffsetTracker {

    private final Map<TopicPartition, PartitionOffsets> partitions = new ConcurrentHashMap<>();
    private final Object finished = new Object();

    /** A record was handed to the scheduler. Offsets of a partition are registered in increasing order. */
    public void register(TopicPartition partition, long offset) {
        partitions.computeIfAbsent(partition, p -> new PartitionOffsets()).register(offset);
    }

    /** The record's outcome is durable. A partition that is no longer tracked (revoked) is ignored. */
    public void finish(TopicPartition partition, long offset) {
        PartitionOffsets offsets = partitions.get(partition);
        if (offsets != null) {
            offsets.finish(offset);
        }
        synchronized (finished) {
            finished.notifyAll();
        }
    }

    /**
     * Waits until no record of the given partitions is unfinished.
     *
     * @return false if the timeout passed first
     */
    public boolean awaitFinished(Collection<TopicPartition> which, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (finished) {
            while (which.stream().anyMatch(p -> unfinished(p) > 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(finished, left);
            }
            return true;
        }
    }

    /** Records registered and not yet finished, over every partition. */
    public int unfinished() {
        int total = 0;
        for (PartitionOffsets offsets : partitions.values()) {
            total += offsets.unfinished();
        }
        return total;
    }

    public int unfinished(TopicPartition partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? 0 : offsets.unfinished();
    }

    /** Offsets to commit: for each partition whose committable offset moved since the last call. */
    public Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        partitions.forEach((partition, offsets) -> offsets.advance()
                .ifPresent(offset -> result.put(partition, new OffsetAndMetadata(offset))));
        return result;
    }

    /** The committable offset of one partition, whether or not it moved. */
    public Optional<OffsetAndMetadata> committable(TopicPartition partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? Optional.empty() : offsets.current().map(OffsetAndMetadata::new);
    }

    /** Stops tracking a partition (after a revoke, or when it was lost). */
    public void forget(TopicPartition partition) {
        partitions.remove(partition);
    }

    private static final class PartitionOffsets {
        private final TreeSet<Long> unfinished = new TreeSet<>();
        private long next = -1;
        private long lastReported = -1;

        synchronized void register(long offset) {
            unfinished.add(offset);
            next = Math.max(next, offset + 1);
        }

        synchronized void finish(long offset) {
            unfinished.remove(offset);
        }

        synchronized int unfinished() {
            return unfinished.size();
        }

        synchronized Optional<Long> current() {
            if (next < 0) {
                return Optional.empty();
            }
            return Optional.of(unfinished.isEmpty() ? next : unfinished.first());
        }

        synchronized Optional<Long> advance() {
            Optional<Long> current = current();
            if (current.isPresent() && current.get() > lastReported) {
                lastReported = current.get();
                return current;
            }
            return Optional.empty();
        }
    }
}
