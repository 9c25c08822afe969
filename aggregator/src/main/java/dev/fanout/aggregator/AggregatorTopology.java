package dev.fanout.aggregator;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.internal.AggregatorProcessor;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.aggregator.internal.JsonSerde;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's Kafka Streams topology, built by a pure function. Two sources (batch definitions and item results,
 * raw bytes keyed by batchId: both topics have the same partitions, so one task sees a whole batch) feed one
 * processor with three persistent, changelogged stores; it writes decisions to the batch-results topic and invalid
 * records to the dead-letter topic.
 *
 * <pre>{@code
 * batches ─┐                          ┌─> batch-results
 *          ├─> aggregator (stores) ───┤
 * results ─┘                          └─> dlq
 * }</pre>
 */
public final class AggregatorTopology {

    /** Batch state per batchId: the latest definition, counts, latency, errors, the decision. */
    public static final String BATCH_STORE = "aggregator-batches";
    /** Item outcome per {@code ItemKey.asString()}: what deduplicates results. */
    public static final String ITEM_STORE = "aggregator-items";
    /** Undecided batches with a total timeout, ordered by deadline. */
    public static final String DEADLINE_STORE = "aggregator-deadlines";

    static final String BATCHES_SOURCE = "batches-source";
    static final String RESULTS_SOURCE = "results-source";
    static final String PROCESSOR = "aggregator";
    static final String BATCH_RESULTS_SINK = "batch-results-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private AggregatorTopology() {
    }

    /** The topology with the default punctuation interval and metrics in a registry of its own. */
    public static Topology build(Topics topics) {
        return build(topics, AggregatorConfig.DEFAULT_PUNCTUATION_INTERVAL, new MetricRegistry());
    }

    /** The topology for a configuration, reporting to {@code registry}. */
    public static Topology build(AggregatorConfig config, MetricRegistry registry) {
        Objects.requireNonNull(config, "config");
        return build(config.kafka().topics(), config.punctuationInterval(), registry);
    }

    /**
     * The topology.
     *
     * @param punctuationInterval how often undecided batches are checked against their total timeout (wall clock)
     * @param registry            where the {@link AggregatorMetrics} are registered
     */
    public static Topology build(Topics topics, Duration punctuationInterval, MetricRegistry registry) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(punctuationInterval, "punctuationInterval");
        AggregatorMetrics metrics = AggregatorMetrics.of(registry);
        AggregatorProcessor.Wiring wiring = new AggregatorProcessor.Wiring(
                topics.batches().name(), topics.results().name(), BATCH_STORE, ITEM_STORE, DEADLINE_STORE,
                BATCH_RESULTS_SINK, DEAD_LETTER_SINK, punctuationInterval);

        Topology topology = new Topology();
        topology.addSource(BATCHES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.batches().name());
        topology.addSource(RESULTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.results().name());
        topology.addProcessor(PROCESSOR, () -> new AggregatorProcessor(wiring, metrics),
                BATCHES_SOURCE, RESULTS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BATCH_STORE),
                Serdes.String(), new JsonSerde<>(BatchState.class)).withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEM_STORE),
                Serdes.String(), new JsonSerde<>(ItemOutcome.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINE_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addSink(BATCH_RESULTS_SINK, topics.batchResults().name(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
