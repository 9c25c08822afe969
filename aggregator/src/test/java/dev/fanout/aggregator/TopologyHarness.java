package dev.fanout.aggregator;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.aggregator.internal.ItemOutcome;
import dev.fanout.aggregator.internal.LiveTimelines;
import dev.fanout.aggregator.internal.ResultsQueries;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The aggregator topology under {@code TopologyTestDriver}, with its inputs, outputs and stores at hand. */
final class TopologyHarness implements AutoCloseable {

    static final Topics TOPICS = new Topics("t.", 1, 1);

    final MetricRegistry registry = new MetricRegistry();
    final LiveTimelines timelines = LiveTimelines.of(LiveTimelines.DEFAULT_CAPACITY);
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> batches;
    final TestInputTopic<String, byte[]> results;
    final TestOutputTopic<String, BatchResult> decisions;
    final TestOutputTopic<String, byte[]> control;

    TopologyHarness(Path stateDir, Instant now, Duration retention, int retentionChunk, ChainTopics chainTopics) {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        driver = new TopologyTestDriver(AggregatorTopology.build(TOPICS, Duration.ofSeconds(1), retention,
                retentionChunk, registry, chainTopics, timelines), properties, now);
        batches = driver.createInputTopic(TOPICS.batches().name(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createInputTopic(TOPICS.results().name(), new StringSerializer(), new ByteArraySerializer());
        decisions = driver.createOutputTopic(TOPICS.batchResults().name(), new StringDeserializer(),
                Envelopes.deserializer(BatchResult.class));
        control = driver.createOutputTopic(TOPICS.control().name(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    TopologyHarness(Path stateDir, Instant now) {
        this(stateDir, now, AggregatorConfig.DEFAULT_ITEM_RETENTION, AggregatorConfig.DEFAULT_RETENTION_CHUNK,
                ChainTopics.ASSUME_EXISTING);
    }

    void define(BatchDefinition definition) {
        batches.pipeInput(definition.batchId(), Envelopes.encode(definition));
    }

    void report(ItemResult... reported) {
        for (ItemResult result : reported) {
            results.pipeInput(result.batchId(), Envelopes.encode(result));
        }
    }

    /**
     * Moves the wall clock on by one commit interval, so the revision punctuation publishes the revisions that came
     * due (one per batch).
     */
    void commit() {
        driver.advanceWallClockTime(AggregatorConfig.DEFAULT_COMMIT_INTERVAL);
    }

    KeyValueStore<String, Long> revisionStore() {
        return driver.getKeyValueStore(AggregatorTopology.REVISION_STORE);
    }

    TestOutputTopic<String, byte[]> topic(String name) {
        return driver.createOutputTopic(name, new StringDeserializer(), new ByteArrayDeserializer());
    }

    KeyValueStore<String, BatchState> batchStore() {
        return driver.getKeyValueStore(AggregatorTopology.BATCH_STORE);
    }

    KeyValueStore<String, ItemOutcome> itemStore() {
        return driver.getKeyValueStore(AggregatorTopology.ITEM_STORE);
    }

    KeyValueStore<String, Long> itemIdStore() {
        return driver.getKeyValueStore(AggregatorTopology.ITEM_ID_STORE);
    }

    /** The results API's queries over this driver's stores. */
    ResultsQueries queries() {
        return new ResultsQueries(batchStore(), itemStore(), itemIdStore(), timelines);
    }

    @Override
    public void close() {
        driver.close();
    }
}
