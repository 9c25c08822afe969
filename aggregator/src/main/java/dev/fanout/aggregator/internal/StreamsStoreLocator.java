package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.AggregatorTopology;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@link StoreLocator} on Kafka Streams' interactive queries: {@code queryMetadataForKey} says which instance owns a
 * batch (every store of the processor is partitioned by batch id), {@code streamsMetadataForStore} lists them all.
 * Only active stores are read, never standbys, so an answer is never staler than the decision it shows.
 */
public final class StreamsStoreLocator implements StoreLocator {

    private final KafkaStreams streams;
    private final HostInfo self;
    private final LiveTimelines timelines;

    /**
     * @param self      this instance's {@code application.server}
     * @param timelines the timelines this instance's processors keep up to date
     */
    public StreamsStoreLocator(KafkaStreams streams, HostInfo self, LiveTimelines timelines) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.self = Objects.requireNonNull(self, "self");
        this.timelines = Objects.requireNonNull(timelines, "timelines");
    }

    @Override
    public Location locate(String batchId) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(AggregatorTopology.BATCH_STORE, batchId,
                    Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Unavailable("the aggregator is not running (" + streams.state() + ")");
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                || metadata.activeHost().equals(HostInfo.unavailable())) {
            return new Unavailable("the aggregator is starting or rebalancing (" + streams.state() + ")");
        }
        return metadata.activeHost().equals(self) ? local(metadata.partition()) : remote(metadata.activeHost());
    }

    @Override
    public List<Location> everywhere() {
        List<Location> locations = new ArrayList<>();
        try {
            for (StreamsMetadata instance : streams.streamsMetadataForStore(AggregatorTopology.BATCH_STORE)) {
                if (!instance.hostInfo().equals(self)) {
                    locations.add(remote(instance.hostInfo()));
                    continue;
                }
                TreeSet<Integer> partitions = new TreeSet<>();
                for (TopicPartition partition : instance.topicPartitions()) {
                    partitions.add(partition.partition());
                }
                partitions.forEach(partition -> locations.add(local(partition)));
            }
        } catch (IllegalStateException e) {
            return List.of(new Unavailable("the aggregator is not running (" + streams.state() + ")"));
        }
        return locations.isEmpty()
                ? List.of(new Unavailable("the aggregator is starting or rebalancing (" + streams.state() + ")"))
                : locations;
    }

    private Location local(int partition) {
        try {
            return new Local(new ResultsQueries(store(AggregatorTopology.BATCH_STORE, partition),
                    store(AggregatorTopology.ITEM_STORE, partition), store(AggregatorTopology.ITEM_ID_STORE, partition), timelines));
        } catch (InvalidStateStoreException e) {
            return new Unavailable("the aggregator's stores are not ready");
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    private static Remote remote(HostInfo host) {
        return new Remote(URI.create("http://" + host.host() + ":" + host.port()));
    }
}
