package dev.fanout.aggregator.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that keeps the values its stream task writes as objects until the task commits, then writes the
 * latest value of each key once to the store it wraps (which serialises it, caches it and logs it to the changelog in
 * the same transaction as the commit). A batch's state changes with every result; without this it was serialised,
 * and deserialised again, once per result. Reads by the owning task see its pending values; reads from other threads
 * (interactive queries) see the wrapped store, as of the last commit. Pending values are dropped when the store is
 * closed, as an aborted transaction drops its changelog records.
 */
public final class PendingWritesStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
        implements KeyValueStore<K, V> {

    private final Map<K, V> pending = new HashMap<>();
    private volatile Thread owner;

    PendingWritesStore(KeyValueStore<K, V> inner) {
        super(Objects.requireNonNull(inner, "inner"));
    }

    /** Wraps what {@code inner} builds; caching and logging are {@code inner}'s. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
        return new Builder<>(inner);
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        super.init(context, root);
    }

    @Override
    public V get(K key) {
        if (isOwner()) {
            V value = pending.get(key);
            if (value != null) {
                return value;
            }
        }
        return wrapped().get(key);
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        owner = Thread.currentThread(); // the stream thread that runs the task: the only writer
        pending.put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public V delete(K key) {
        V value = pending.remove(key);
        V stored = wrapped().delete(key);
        return value != null ? value : stored;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writePendingIfOwner();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writePendingIfOwner();
        return wrapped().all();
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries() + (isOwner() ? pending.size() : 0);
    }

    @Override
    public void flushCache() {
        writePending();
        super.flushCache();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writePending();
        super.commit(changelogOffsets);
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }

    /** How many keys have a value not yet written to the wrapped store. */
    int pendingCount() {
        return pending.size();
    }

    /** A scan by the task sees its pending values; one by another thread (a query) leaves them alone. */
    private void writePendingIfOwner() {
        if (isOwner()) {
            writePending();
        }
    }

    /** Writes what is pending; a commit does this whichever thread Streams commits from. */
    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        List<KeyValue<K, V>> entries = new ArrayList<>(pending.size());
        pending.forEach((key, value) -> entries.add(KeyValue.pair(key, value)));
        pending.clear();
        wrapped().putAll(entries);
    }

    private boolean isOwner() {
        return Thread.currentThread() == owner;
    }

    private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner) implements StoreBuilder<KeyValueStore<K, V>> {

        private Builder {
            Objects.requireNonNull(inner, "inner");
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
            return new Builder<>(inner.withCachingEnabled());
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
            return new Builder<>(inner.withCachingDisabled());
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled());
        }

        @Override
        public KeyValueStore<K, V> build() {
            return new PendingWritesStore<>(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
