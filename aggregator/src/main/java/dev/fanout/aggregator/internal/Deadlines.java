package dev.fanout.aggregator.internal;

import dev.fanout.protocol.BatchDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A time index of batches in a store keyed by {@code <epoch ms, zero-padded>/<batchId>}: keys sort by time, so the
 * punctuator reads only the entries that are due and stops at the first that is not. One instance holds undecided
 * batches by {@code totalTimeout} deadline, another decided batches by the time their items expire.
 */
public final class Deadlines {

    private final KeyValueStore<String, String> store;

    public Deadlines(KeyValueStore<String, String> store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** {@code createdAt + totalTimeout} in epoch ms, or empty when the batch has no total timeout. */
    public static OptionalLong deadlineOf(BatchDefinition definition) {
        if (definition == null || definition.policy().totalTimeout() == null) {
            return OptionalLong.empty();
        }
        long created = definition.createdAt().toEpochMilli();
        long timeout = definition.policy().totalTimeout().toMillis();
        long deadline = created + timeout;
        return OptionalLong.of(((created ^ deadline) & (timeout ^ deadline)) < 0 ? Long.MAX_VALUE : deadline);
    }

    /** Moves a batch's entry from the old definition's deadline to the new one's. */
    public void reschedule(String batchId, BatchDefinition previous, BatchDefinition current) {
        OptionalLong before = deadlineOf(previous);
        OptionalLong after = deadlineOf(current);
        if (before.equals(after)) {
            return;
        }
        before.ifPresent(deadline -> store.delete(key(deadline, batchId)));
        after.ifPresent(deadline -> store.put(key(deadline, batchId), batchId));
    }

    /** Adds an entry for a batch at a time. */
    public void schedule(String batchId, long atMs) {
        store.put(key(atMs, batchId), batchId);
    }

    /** Removes a batch's entry at a time, if it has one. */
    public void unschedule(String batchId, long atMs) {
        store.delete(key(atMs, batchId));
    }

    /** Removes a batch's entry, if it has one. */
    public void cancel(String batchId, BatchDefinition definition) {
        deadlineOf(definition).ifPresent(deadline -> store.delete(key(deadline, batchId)));
    }

    /** The entries whose deadline is at or before {@code nowMs}, earliest first. */
    public List<Due> due(long nowMs) {
        return due(nowMs, Integer.MAX_VALUE);
    }

    /** At most {@code max} entries whose time is at or before {@code nowMs}, earliest first. */
    public List<Due> due(long nowMs, int max) {
        List<Due> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = store.all()) {
            while (entries.hasNext() && due.size() < max) {
                KeyValue<String, String> entry = entries.next();
                if (deadlineIn(entry.key) > nowMs) {
                    break;
                }
                due.add(new Due(entry.key, entry.value));
            }
        }
        return due;
    }

    /** Removes one entry returned by {@link #due}. */
    public void remove(Due entry) {
        store.delete(entry.key());
    }

    static String key(long deadline, String batchId) {
        return String.format("%019d/%s", Math.max(0, deadline), batchId);
    }

    private static long deadlineIn(String key) {
        return Long.parseLong(key.substring(0, key.indexOf('/')));
    }

    /** A due entry: its store key and its batch. */
    public record Due(String key, String batchId) {
    }
}
