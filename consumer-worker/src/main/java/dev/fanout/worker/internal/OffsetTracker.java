package dev.fanout.worker.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.BitSet;
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

    /**
     * Offsets to commit, each with {@link OffsetMetadata} describing the records finished above it: for each partition
     * whose committable offset or finished set changed since the last call.
     */
    public Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        partitions.forEach((partition, offsets) -> offsets.advance().ifPresent(commit -> result.put(partition, commit)));
        return result;
    }

    /** The committable offset of one partition, whether or not it moved. */
    public Optional<OffsetAndMetadata> committable(TopicPartition partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? Optional.empty() : offsets.commit();
    }

    /**
     * The distance from a partition's lowest unfinished offset to the next one to fetch: what the commit metadata
     * must describe. The poll loop pauses a partition whose span reaches {@link OffsetMetadata#MAX_SPAN}.
     */
    public long span(TopicPartition partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? 0 : offsets.span();
    }

    /** An async commit of these partitions failed: offer their current offsets again at the next commit. */
    public void commitFailed(java.util.Set<TopicPartition> which) {
        which.forEach(partition -> {
            PartitionOffsets offsets = partitions.get(partition);
            if (offsets != null) {
                offsets.forgetReported();
            }
        });
    }

    /** Stops tracking a partition (after a revoke, or when it was lost). */
    public void forget(TopicPartition partition) {
        partitions.remove(partition);
    }

    private static final class PartitionOffsets {
        private final TreeSet<Long> unfinished = new TreeSet<>();
        private long next = -1;
        private String lastReported;

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

        synchronized long span() {
            return unfinished.isEmpty() ? 0 : next - unfinished.first();
        }

        synchronized Optional<OffsetAndMetadata> commit() {
            if (next < 0) {
                return Optional.empty();
            }
            long committed = unfinished.isEmpty() ? next : unfinished.first();
            BitSet finished = new BitSet();
            long end = Math.min(next, committed + OffsetMetadata.MAX_SPAN);
            for (long offset = committed; offset < end; offset++) {
                if (!unfinished.contains(offset)) {
                    finished.set((int) (offset - committed));
                }
            }
            return Optional.of(new OffsetAndMetadata(committed,
                    new OffsetMetadata(committed, next, finished).encode()));
        }

        synchronized void forgetReported() {
            lastReported = null;
        }

        synchronized Optional<OffsetAndMetadata> advance() {
            Optional<OffsetAndMetadata> commit = commit();
            if (commit.isEmpty()) {
                return commit;
            }
            String key = commit.get().offset() + commit.get().metadata();
            if (key.equals(lastReported)) {
                return Optional.empty();
            }
            lastReported = key;
            return commit;
        }
    }
}
