package dev.fanout.aggregator;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.internal.AggregatorProcessor;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.aggregator.internal.JsonSerde;
import dev.fanout.aggregator.internal.LiveTimelines;
import dev.fanout.aggregator.internal.PendingWritesStore;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's Kafka Streams topology, built by a pure function. Two sources (batch definitions and item results,
 * raw bytes keyed by batchId: both topics have the same partitions, so one task sees a whole batch) feed one
 * processor with six persistent, changelogged stores; it writes decisions to the batch-results topic, cancel signals
 * to the control topic, chained events to the topics the batches name, invalid records to the dead-letter topic, and
 * compensation batches (their registration to the batches topic, their jobs to a lane).
 *
 * <pre>{@code
 * batches ─┐                          ┌─> batch-results
 *          ├─> aggregator (stores) ───┼─> control (cancel signals)
 * results ─┘                          ├─> <onSuccess / onError topic>
 *                                     ├─> dlq
 *                                     └─> batches, jobs.<lane> (compensation batches)
 * }</pre>
 */
public final class AggregatorTopology {

    /**
     * Batch state per batchId: the latest definition, counts, latency, errors, the decision. Written once per commit
     * (a {@link PendingWritesStore}), however many of the batch's results the commit takes.
     */
    public static final String BATCH_STORE = "aggregator-batches";
    /** Item outcome per {@code ItemKey.asString()}: what deduplicates results, and what the results API pages. */
    public static final String ITEM_STORE = "aggregator-items";
    /** Item index per {@code <batchId>/<itemId>}, for items whose id is not their index. */
    public static final String ITEM_ID_STORE = "aggregator-item-ids";
    /** Undecided batches with a total timeout, ordered by deadline. */
    public static final String DEADLINE_STORE = "aggregator-deadlines";
    /** Decided batches, ordered by the time their items expire. */
    public static final String EXPIRY_STORE = "aggregator-expiries";
    /** Decided batches with a revision due (replays, settling), published at the next revision punctuation. */
    public static final String REVISION_STORE = "aggregator-revisions";

    static final String BATCHES_SOURCE = "batches-source";
    static final String RESULTS_SOURCE = "results-source";
    static final String PROCESSOR = "aggregator";
    static final String BATCH_RESULTS_SINK = "batch-results-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";
    static final String CONTROL_SINK = "control-sink";
    static final String CHAIN_SINK = "chain-sink";
    static final String BATCHES_SINK = "batches-sink";

    private AggregatorTopology() {
    }

    /** The topology with the default settings and metrics in a registry of its own. */
    public static Topology build(Topics topics) {
        return build(topics, AggregatorConfig.DEFAULT_PUNCTUATION_INTERVAL, new MetricRegistry());
    }

    /** The topology for a configuration, reporting to {@code registry}; every chaining topic is taken as there. */
    public static Topology build(AggregatorConfig config, MetricRegistry registry) {
        return build(config, registry, ChainTopics.ASSUME_EXISTING);
    }

    /** The topology for a configuration, reporting to {@code registry}, checking chaining topics with {@code chainTopics}. */
    public static Topology build(AggregatorConfig config, MetricRegistry registry, ChainTopics chainTopics) {
        return build(config, registry, chainTopics, LiveTimelines.off());
    }

    /** As above, keeping the watched batches' timelines in {@code timelines} up to date. */
    public static Topology build(AggregatorConfig config, MetricRegistry registry, ChainTopics chainTopics,
            LiveTimelines timelines) {
        Objects.requireNonNull(config, "config");
        return build(config.kafka().topics(), config.punctuationInterval(), revisionInterval(config.commitInterval()),
                config.itemRetention(), config.retentionChunk(), registry, chainTopics, timelines);
    }

    /**
     * The topology with the default item retention.
     *
     * @param punctuationInterval how often undecided batches are checked against their total timeout (wall clock)
     * @param registry            where the {@link AggregatorMetrics} are registered
     */
    public static Topology build(Topics topics, Duration punctuationInterval, MetricRegistry registry) {
        return build(topics, punctuationInterval, AggregatorConfig.DEFAULT_ITEM_RETENTION,
                AggregatorConfig.DEFAULT_RETENTION_CHUNK, registry, ChainTopics.ASSUME_EXISTING);
    }

    /** The topology with revisions published every {@link AggregatorConfig#DEFAULT_COMMIT_INTERVAL}. */
    public static Topology build(Topics topics, Duration punctuationInterval, Duration itemRetention,
            int retentionChunk, MetricRegistry registry, ChainTopics chainTopics) {
        return build(topics, punctuationInterval, itemRetention, retentionChunk, registry, chainTopics,
                LiveTimelines.off());
    }

    /** As above, keeping the watched batches' timelines in {@code timelines} up to date. */
    public static Topology build(Topics topics, Duration punctuationInterval, Duration itemRetention,
            int retentionChunk, MetricRegistry registry, ChainTopics chainTopics, LiveTimelines timelines) {
        return build(topics, punctuationInterval, AggregatorConfig.DEFAULT_COMMIT_INTERVAL, itemRetention,
                retentionChunk, registry, chainTopics, timelines);
    }

    /**
     * The topology.
     *
     * @param punctuationInterval how often undecided batches are checked against their total timeout, and expired
     *                            items removed (wall clock)
     * @param revisionInterval    how often the revisions that came due are published, one per batch (wall clock;
     *                            the commit interval, so that the results of one commit make one revision)
     * @param itemRetention       how long a decided batch's items are kept
     * @param retentionChunk      the most items removed per punctuation
     * @param registry            where the {@link AggregatorMetrics} are registered
     * @param chainTopics         makes sure a chaining target's topic exists before an event is sent there
     * @param timelines           the watched batches' timelines, kept up to date as items are counted
     */
    public static Topology build(Topics topics, Duration punctuationInterval, Duration revisionInterval,
            Duration itemRetention, int retentionChunk, MetricRegistry registry, ChainTopics chainTopics,
            LiveTimelines timelines) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(timelines, "timelines");
        Objects.requireNonNull(punctuationInterval, "punctuationInterval");
        Objects.requireNonNull(revisionInterval, "revisionInterval");
        Objects.requireNonNull(chainTopics, "chainTopics");
        AggregatorMetrics metrics = AggregatorMetrics.of(registry);
        AggregatorProcessor.Wiring wiring = new AggregatorProcessor.Wiring(
                topics.batches().name(), topics.results().name(), BATCH_STORE, ITEM_STORE, ITEM_ID_STORE,
                DEADLINE_STORE, EXPIRY_STORE, REVISION_STORE, BATCH_RESULTS_SINK, DEAD_LETTER_SINK, CONTROL_SINK,
                CHAIN_SINK, BATCHES_SINK, jobSinks(), punctuationInterval, revisionInterval, itemRetention,
                retentionChunk);

        Topology topology = new Topology();
        topology.addSource(BATCHES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.batches().name());
        topology.addSource(RESULTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.results().name());
        topology.addProcessor(PROCESSOR, () -> new AggregatorProcessor(wiring, metrics, chainTopics, timelines),
                BATCHES_SOURCE, RESULTS_SOURCE);
        topology.addStateStore(PendingWritesStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(BATCH_STORE), Serdes.String(), new JsonSerde<>(BatchState.class))
                .withCachingEnabled()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEM_STORE),
                Serdes.String(), new JsonSerde<>(ItemOutcome.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITEM_ID_STORE),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINE_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPIRY_STORE),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REVISION_STORE),
                Serdes.String(), Serdes.Long()), PROCESSOR);
        topology.addSink(BATCH_RESULTS_SINK, topics.batchResults().name(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters().name(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(CONTROL_SINK, topics.control().name(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(CHAIN_SINK, chainTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(BATCHES_SINK, topics.batches().name(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        for (Map.Entry<Lane, String> lane : jobSinks().entrySet()) {
            topology.addSink(lane.getValue(), topics.jobs(lane.getKey()).name(), new ByteArraySerializer(),
                    new ByteArraySerializer(), PROCESSOR);
        }
        return topology;
    }

    /** A sink per jobs lane, for compensation jobs. */
    private static Map<Lane, String> jobSinks() {
        Map<Lane, String> sinks = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            sinks.put(lane, "jobs-" + lane.id() + "-sink");
        }
        return sinks;
    }

    /** The commit interval as a punctuation interval (a commit interval of 0 publishes revisions every millisecond). */
    static Duration revisionInterval(Duration commitInterval) {
        return commitInterval.toMillis() < 1 ? Duration.ofMillis(1) : commitInterval;
    }

    /** Routes a chained event to the topic its {@code fanout.chain-topic} header names. */
    private static TopicNameExtractor<byte[], byte[]> chainTopic() {
        return (key, value, context) -> FanoutHeaders.text(context.headers(), FanoutHeaders.CHAIN_TOPIC)
                .orElseThrow(() -> new IllegalStateException("a chained event has no "
                        + FanoutHeaders.CHAIN_TOPIC + " header"));
    }
}
