package dev.fanout.aggregator;

import dev.fanout.aggregator.internal.Health;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A {@link Health.Probe} that says what a test tells it.
 *
 * @param unqueryable why the stores of a partition cannot be queried, by partition
 */
record FakeProbe(KafkaStreams.State state, Set<Integer> activePartitions, Map<Integer, String> unqueryable,
        Optional<String> failure) implements Health.Probe {

    /** Running, with these partitions assigned and queryable. */
    static FakeProbe ready(Integer... partitions) {
        return new FakeProbe(KafkaStreams.State.RUNNING, Set.of(partitions), Map.of(), Optional.empty());
    }

    static FakeProbe in(KafkaStreams.State state) {
        return new FakeProbe(state, Set.of(), Map.of(), Optional.empty());
    }

    @Override
    public Optional<String> unqueryable(int partition) {
        return Optional.ofNullable(unqueryable.get(partition));
    }
}
