package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PendingWritesStoreTest {

    private final AtomicInteger serialised = new AtomicInteger();
    private KeyValueStore<String, Long> store;

    @BeforeEach
    void setUp() {
        Serde<Long> counting = Serdes.serdeFrom((topic, value) -> {
            serialised.incrementAndGet();
            return Serdes.Long().serializer().serialize(topic, value);
        }, Serdes.Long().deserializer());
        store = PendingWritesStore.builder(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("batches"),
                Serdes.String(), counting).withLoggingDisabled()).build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void aKeyWrittenManyTimesBetweenCommitsIsSerialisedOnceAtTheCommit() {
        for (long count = 1; count <= 1_000; count++) {
            store.put("batch-1", count);
            assertThat(store.get("batch-1")).isEqualTo(count);
        }
        assertThat(serialised).hasValue(0);

        ((PendingWritesStore<String, Long>) store).flushCache();

        assertThat(serialised).hasValue(1);
        assertThat(store.get("batch-1")).isEqualTo(1_000L);
    }

    @Test
    void anotherThreadReadsWhatWasLastCommittedNotWhatIsPending() throws Exception {
        store.put("batch-1", 1L);
        ((PendingWritesStore<String, Long>) store).commit(Map.of());
        store.put("batch-1", 2L);

        assertThat(CompletableFuture.supplyAsync(() -> store.get("batch-1")).get()).isEqualTo(1L);
        assertThat(store.get("batch-1")).isEqualTo(2L);
    }

    @Test
    void aCommitFromAnotherThreadStillWritesWhatIsPending() throws Exception {
        store.put("batch-1", 7L);

        CompletableFuture.runAsync(((PendingWritesStore<String, Long>) store)::flushCache).get();

        assertThat(serialised).hasValue(1);
        assertThat(CompletableFuture.supplyAsync(() -> store.get("batch-1")).get()).isEqualTo(7L);
    }

    @Test
    void scansAndDeletesSeePendingValues() {
        store.put("a", 1L);
        store.put("b", 2L);
        assertThat(store.delete("a")).isEqualTo(1L);

        try (KeyValueIterator<String, Long> all = store.all()) {
            assertThat(all).toIterable().extracting(entry -> entry.key + "=" + entry.value).containsExactly("b=2");
        }
        assertThat(store.get("a")).isNull();
    }

    @Test
    void closingDropsWhatWasNotCommitted(@TempDir Path stateDir) {
        StateStoreContext context = new MockProcessorContext<>(new Properties(), new TaskId(0, 0), stateDir.toFile())
                .getStateStoreContext();
        KeyValueStore<String, Long> persistent = PendingWritesStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore("persistent"), Serdes.String(), Serdes.Long()).withLoggingDisabled())
                .build();
        persistent.init(context, persistent);
        persistent.put("batch-1", 1L);
        ((PendingWritesStore<String, Long>) persistent).flushCache();
        persistent.put("batch-1", 2L);
        persistent.close();

        persistent.init(context, persistent);
        try {
            assertThat(persistent.get("batch-1")).isEqualTo(1L);
        } finally {
            persistent.close();
        }
    }
}
