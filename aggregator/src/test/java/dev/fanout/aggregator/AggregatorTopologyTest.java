package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.internal.BatchState;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchResult.ErrorCount;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.protocol.TotalTimeoutAction;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AggregatorTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant CREATED = NOW.minusSeconds(10);
    private static final Topics TOPICS = new Topics("t.", 1, 1);

    @TempDir
    Path stateDir;

    private final MetricRegistry registry = new MetricRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> batches;
    private TestInputTopic<String, byte[]> results;
    private TestOutputTopic<String, BatchResult> decisions;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        driver = new TopologyTestDriver(AggregatorTopology.build(TOPICS, Duration.ofSeconds(1), registry), properties,
                NOW);
        batches = driver.createInputTopic(TOPICS.batches().name(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createInputTopic(TOPICS.results().name(), new StringSerializer(), new ByteArraySerializer());
        decisions = driver.createOutputTopic(TOPICS.batchResults().name(), new StringDeserializer(),
                Envelopes.deserializer(BatchResult.class));
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters().name(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void publish(Object envelope, String batchId) {
        TestInputTopic<String, byte[]> topic = envelope instanceof ItemResult ? results : batches;
        topic.pipeInput(batchId, Envelopes.encode(envelope));
    }

    private void define(String batchId, long total, BatchPolicy policy) {
        publish(Fixtures.sealed(batchId, total, policy, CREATED), batchId);
    }

    private void report(ItemResult result) {
        publish(result, result.batchId());
    }

    private BatchState state(String batchId) {
        return driver.<String, BatchState>getKeyValueStore(AggregatorTopology.BATCH_STORE).get(batchId);
    }

    @Test
    void aDuplicateResultIsCountedOnceAndItsLaterStatusIgnored() {
        define("b1", 2, BatchPolicy.ofDefaults());
        report(Fixtures.success("b1", 0));
        report(Fixtures.failure("b1", 0));
        report(Fixtures.success("b1", 1));

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(decision.succeeded()).isEqualTo(2);
        assertThat(decision.failed()).isZero();
        assertThat(decisions.isEmpty()).isTrue();
        assertThat(registry.counter(AggregatorMetrics.DUPLICATES).getCount()).isEqualTo(1);
        assertThat(registry.meter(AggregatorMetrics.RESULTS).getCount()).isEqualTo(3);
    }

    @Test
    void resultsThatArriveBeforeTheDefinitionAreCountedAndDecidedWhenItArrives() {
        report(Fixtures.success("b1", 0));
        report(Fixtures.success("b1", 1));
        report(Fixtures.failure("b1", 2));
        assertThat(decisions.isEmpty()).isTrue();
        assertThat(state("b1").tally().finished()).isEqualTo(3);

        define("b1", 3, BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.COLLECT));

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(decision.total()).isEqualTo(3);
        assertThat(decision.succeeded()).isEqualTo(2);
        assertThat(decision.failed()).isEqualTo(1);
    }

    @Test
    void anUnsealedBatchWaitsForItsSealEvenWhenEveryItemSeenHasFinished() {
        publish(Fixtures.open("b1", BatchPolicy.ofDefaults(), CREATED), "b1");
        report(Fixtures.success("b1", 0));
        report(Fixtures.success("b1", 1));
        assertThat(decisions.isEmpty()).isTrue();

        define("b1", 2, BatchPolicy.ofDefaults());

        assertThat(decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED);
    }

    @Test
    void aSealedBatchOfNoItemsSucceedsAtOnce() {
        define("empty", 0, BatchPolicy.ofDefaults());

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(decision.total()).isZero();
        assertThat(decision.successRate()).isZero();
    }

    @Test
    void aBatchIsDecidedExactlyOnceAndLaterResultsOnlyUpdateItsCounts() {
        define("b1", 3, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE));
        report(Fixtures.failure("b1", 0));
        report(Fixtures.success("b1", 1));
        report(Fixtures.failure("b1", 2));
        define("b1", 3, BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE));

        assertThat(decisions.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("b1");
            assertThat(record.value().revision()).isEqualTo(1);
            assertThat(record.value().failed()).isEqualTo(1);
            assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID)).contains("b1");
        });
        assertThat(registry.counter(AggregatorMetrics.BATCHES_DECIDED).getCount()).isEqualTo(1);
        BatchState state = state("b1");
        assertThat(state.decidedStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(state.succeeded()).isEqualTo(1);
        assertThat(state.unsuccessful()).isEqualTo(2);
    }

    @Test
    void failFastDecidesFailedAtTheFirstFailureBeforeTheBatchIsSealed() {
        publish(Fixtures.open("b1", BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE), CREATED),
                "b1");
        report(Fixtures.success("b1", 0));
        report(Fixtures.failure("b1", 17));

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(decision.reason()).isEqualTo("fail_fast: item 17 failed");
        assertThat(decision.total()).isEqualTo(2);
        assertThat(decision.errors()).containsExactly(new ErrorCount("java.lang.IllegalStateException", 1, "boom 17"));
    }

    @Test
    void raceDecidesSucceededAtTheFirstSuccessWithTheWinnersOutput() {
        define("r1", 5, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE));
        report(Fixtures.failure("r1", 0));
        report(Fixtures.success("r1", 3, 40, NOW.minusSeconds(5), JsonNodeFactory.instance.objectNode().put("answer", 42)));
        report(Fixtures.success("r1", 4));

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(decision.reason()).isEqualTo("race: item 3 succeeded first");
        assertThat(decision.output().get("answer").asInt()).isEqualTo(42);
        assertThat(decision.succeeded()).isEqualTo(1);
        assertThat(decisions.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"COLLECT_PARTIAL, PARTIAL", "FAIL, FAILED", "CANCEL, CANCELLED"})
    void aTotalTimeoutDecidesTheBatchOnTheWallClockWithoutFurtherInput(TotalTimeoutAction action,
            BatchStatus expected) {
        BatchPolicy policy = new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), action);
        publish(Fixtures.sealed("slow", 3, policy, NOW), "slow");
        report(Fixtures.success("slow", 0));

        driver.advanceWallClockTime(Duration.ofSeconds(29));
        assertThat(decisions.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(expected);
        assertThat(decision.succeeded()).isEqualTo(1);
        assertThat(decision.total()).isEqualTo(3);
        assertThat(decision.decidedAt()).isEqualTo(NOW.plusSeconds(31));
        assertThat(decision.reason()).startsWith("totalTimeout 30s passed with 1 of 3 items finished");
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(decisions.isEmpty()).isTrue();
    }

    @Test
    void aBatchDecidedBeforeItsTimeoutIsNotDecidedAgainWhenTheTimeoutPasses() {
        BatchPolicy policy = new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(30), TotalTimeoutAction.FAIL);
        publish(Fixtures.sealed("quick", 1, policy, NOW), "quick");
        report(Fixtures.success("quick", 0));
        assertThat(decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED);

        driver.advanceWallClockTime(Duration.ofMinutes(1));

        assertThat(decisions.isEmpty()).isTrue();
    }

    @Test
    void aPoisonResultGoesToTheDeadLetterTopicWithItsRawBytesAndTheNextResultIsStillProcessed() {
        define("b1", 1, BatchPolicy.ofDefaults());
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        results.pipeInput("b1", garbage);
        report(Fixtures.success("b1", 0));

        TestRecord<String, byte[]> deadLetter = deadLetters.readRecord();
        assertThat(deadLetter.key()).isEqualTo("b1");
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_REASON)).contains("POISON");
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_ORIGINAL_TOPIC))
                .contains(TOPICS.results().name());
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_ORIGINAL_PARTITION)).contains("0");
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_ORIGINAL_OFFSET)).contains("0");
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_EXCEPTION_MESSAGE)).get()
                .asString().isNotBlank();
        assertThat(registry.counter(AggregatorMetrics.POISON).getCount()).isEqualTo(1);
        assertThat(decisions.readValue().status()).isEqualTo(BatchStatus.SUCCEEDED);
    }

    @Test
    void aDefinitionKeyedByAnotherBatchIdIsDeadLettered() {
        batches.pipeInput("other", Envelopes.encode(Fixtures.sealed("b1", 0, BatchPolicy.ofDefaults(), CREATED)));

        TestRecord<String, byte[]> deadLetter = deadLetters.readRecord();
        assertThat(deadLetter.key()).isEqualTo("other");
        assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_EXCEPTION_MESSAGE))
                .contains("the record key 'other' does not match its batchId 'b1'");
        assertThat(decisions.isEmpty()).isTrue();
    }

    @Test
    void theDecisionCarriesExactCountsSumsAndPercentilesWithinFivePercent() {
        define("big", 100, BatchPolicy.of(Strategy.BEST_EFFORT, 0.8, PartialFailurePolicy.CONTINUE));
        Instant firstStart = CREATED.minusSeconds(2);
        for (int i = 0; i < 100; i++) {
            long durationMs = i + 1;
            Instant startedAt = i == 50 ? firstStart : CREATED.plusSeconds(1);
            report(switch (i % 10) {
                case 0 -> Fixtures.unsuccessful("big", i, ItemStatus.FAILED, FailureReason.RETRIES_EXHAUSTED,
                        new ItemError("java.io.IOException", "io " + i), durationMs, startedAt, true);
                case 1 -> i < 60
                        ? Fixtures.unsuccessful("big", i, ItemStatus.TIMED_OUT, FailureReason.TIMEOUT, null, durationMs,
                                startedAt, false)
                        : Fixtures.unsuccessful("big", i, ItemStatus.CANCELLED, FailureReason.CANCELLED, null,
                                durationMs, startedAt, false);
                default -> Fixtures.success("big", i, durationMs, startedAt, null);
            });
        }

        BatchResult decision = decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
        assertThat(decision.strategy()).isEqualTo(Strategy.BEST_EFFORT);
        assertThat(decision.total()).isEqualTo(100);
        assertThat(decision.succeeded()).isEqualTo(80);
        assertThat(decision.failed()).isEqualTo(20);
        assertThat(decision.timedOut()).isEqualTo(6);
        assertThat(decision.cancelled()).isEqualTo(4);
        assertThat(decision.deadLettered()).isEqualTo(10);
        assertThat(decision.finished()).isEqualTo(100);
        assertThat(decision.successRate()).isEqualTo(0.8);
        assertThat(decision.sumItemMs()).isEqualTo(5050);
        assertThat(decision.startedAt()).isEqualTo(firstStart);
        assertThat(decision.decidedAt()).isEqualTo(NOW);
        assertThat(decision.wallMs()).isEqualTo(12_000);
        assertThat(decision.speedup()).isCloseTo(5050 / 12_000.0, within(1e-9));
        assertThat((double) decision.latencyP50Ms()).isCloseTo(50, within(2.5));
        assertThat((double) decision.latencyP95Ms()).isCloseTo(95, within(4.75));
        assertThat((double) decision.latencyP99Ms()).isCloseTo(99, within(4.95));
        assertThat(decision.errors()).containsExactly(
                new ErrorCount("java.io.IOException", 10, "io 0"),
                new ErrorCount("TIMEOUT", 6, ""),
                new ErrorCount("CANCELLED", 4, ""));
        assertThat(decision.reason()).isEqualTo("20 of 100 items failed; onPartialFailure=continue");
        assertThat(decision.output()).isNull();
    }
}
