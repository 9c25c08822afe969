package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.AggregatorTopology;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/** {@link Health.Probe} on a Kafka Streams client running {@link AggregatorTopology}. */
public final class StreamsHealthProbe implements Health.Probe {

    /** The stores the results API reads: each must be queryable for an instance to be ready. */
    private static final List<String> QUERIED_STORES = List.of(AggregatorTopology.BATCH_STORE,
            AggregatorTopology.ITEM_STORE, AggregatorTopology.ITEM_ID_STORE);

    private final KafkaStreams streams;
    private final String resultsTopic;
    private final BoundedThreadReplacement threads;

    /**
     * @param resultsTopic the results topic: its partitions are the tasks' (and the batches')
     * @param threads      the client's uncaught-exception handler, which knows why a stream thread died
     */
    public StreamsHealthProbe(KafkaStreams streams, String resultsTopic, BoundedThreadReplacement threads) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.resultsTopic = Objects.requireNonNull(resultsTopic, "resultsTopic");
        this.threads = Objects.requireNonNull(threads, "threads");
    }

    @Override
    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public Set<Integer> activePartitions() {
        Set<Integer> partitions = new TreeSet<>();
        try {
            streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task ->
                    task.topicPartitions().stream().filter(tp -> tp.topic().equals(resultsTopic))
                            .forEach(tp -> partitions.add(tp.partition()))));
        } catch (IllegalStateException notRunning) {
            return Set.of();
        }
        return partitions;
    }

    @Override
    public Optional<String> unqueryable(int partition) {
        for (String store : QUERIED_STORES) {
            try {
                streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore())
                        .withPartition(partition)).approximateNumEntries();
            } catch (InvalidStateStoreException e) {
                return Optional.of("store " + store + " is not open for queries yet");
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> failure() {
        return threads.lastFailure().map(e -> "a stream thread died of " + e);
    }
}
