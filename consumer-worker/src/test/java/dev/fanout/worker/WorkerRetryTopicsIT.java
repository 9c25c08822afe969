package dev.fanout.worker;

import static dev.fanout.worker.WorkerHarness.header;
import static dev.fanout.worker.WorkerHarness.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.RetriableException;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.ManualClock;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retries on an injected clock: backoffs honoured, long waits through the retry tiers while the partition keeps
 * flowing, attempts counted across a worker restart, and a batch's retry policy over the handler's.
 */
@ExtendWith(KafkaExtension.class)
class WorkerRetryTopicsIT {

    private WorkerHarness harness;
    private final ManualClock clock = ManualClock.startingNow();
    /** Per item index: the clock time of each attempt, by attempt number. */
    private final Map<Long, List<Attempt>> attempts = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp(TestKafka kafka) {
        harness = new WorkerHarness(kafka.bootstrapServers(), "retry-topics", 1);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void aLongBackoffTravelsThroughTheRetryTiersWhileLaterItemsOfThePartitionKeepFlowing() {
        harness.start(clock, 8, Map.of(), flaky(clock, attempts));
        ItemExecution wait45s = new ItemExecution(new RetrySettings(Duration.ofSeconds(45), 1.0, null, 3, null),
                null, null, null, null);
        harness.send(job("slow", 0, "flaky", failures(1), wait45s), 0);
        for (int index = 1; index <= 20; index++) {
            harness.send(job("fast", index, "echo", failures(0), null), 0);
        }

        String tier = harness.topics.retryTiers().get(Duration.ofSeconds(10)).name();
        List<ConsumerRecord<String, byte[]>> waiting = harness.records.awaitAtLeast(tier, 1, WorkerHarness.TIMEOUT);
        assertThat(harness.results(20)).as("the 20 items behind the waiting one all finished")
                .allSatisfy(r -> {
                    assertThat(r.batchId()).isEqualTo("fast");
                    assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
                });
        assertThat(waiting.getFirst()).satisfies(retry -> {
            assertThat(Envelopes.decode(retry.value(), JobRecord.class).attempt()).isEqualTo(2);
            assertThat(header(retry, FanoutHeaders.ATTEMPT)).isEqualTo("2");
            assertThat(header(retry, FanoutHeaders.ORIGIN_TOPIC)).isEqualTo(harness.topics.jobs(Lane.NORMAL).name());
            assertThat(header(retry, FanoutHeaders.ORIGIN_OFFSET)).isEqualTo("0");
            assertThat(Long.parseLong(header(retry, FanoutHeaders.RETRY_DUE_AT)))
                    .isBetween(clock.millis() + 36_000, clock.millis() + 54_000);
        });

        ItemResult slow = awaitResultWhileTimePasses("slow", Duration.ofSeconds(5));

        assertThat(slow.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(slow.attempts()).isEqualTo(2);
        assertThat(gap(0, 1, 2)).as("45 s backoff with +-20% jitter, on the injected clock")
                .isBetween(Duration.ofSeconds(36), Duration.ofSeconds(60));
        assertThat(harness.records.readAll(tier)).as("the wait hopped through the 10 s tier more than once")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void attemptsAreCountedAcrossAWorkerRestartAndTheBackoffIsHonouredOnTheInjectedClock() throws Exception {
        Worker first = harness.start(clock, 4, Map.of(), flaky(clock, attempts));
        ItemExecution retries = new ItemExecution(new RetrySettings(Duration.ofSeconds(2), 1.0, null, 5, null),
                null, null, null, null);
        harness.send(job("restart", 0, "flaky", failures(3), retries), 0);
        await().atMost(WorkerHarness.TIMEOUT).until(() -> attempts.getOrDefault(0L, List.of()).size() == 1);

        first.close(); // attempt 2 is waiting in memory (the clock stands still): it is handed to a retry tier

        assertThat(first.metrics().retriesHandedOff().getCount()).isEqualTo(1);
        assertThat(first.metrics().retriesIn("memory").getCount()).as("attempt 2 first waited in memory").isEqualTo(1);
        assertThat(first.metrics().retriesIn("10s").getCount()).as("then in the 10 s tier").isEqualTo(1);
        assertThat(harness.resultsNow()).isEmpty();
        Worker second = harness.start(clock, 4, Map.of(), flaky(clock, attempts));
        ItemResult result = awaitResultWhileTimePasses("restart", Duration.ofMillis(500));

        assertThat(result.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(result.workerId()).isEqualTo(second.config().workerId());
        assertThat(attempts.get(0L)).extracting(Attempt::number).containsExactly(1, 2, 3, 4);
        for (int next = 2; next <= 4; next++) {
            assertThat(gap(0, next - 1, next)).as("wait before attempt " + next)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1_600));
        }
    }

    @Test
    void aChainThatRunsOutInATierIsDeadLetteredWithItsLaneCoordinatesAndFailureTimes() {
        harness.start(clock, 4, Map.of(), flaky(clock, attempts));
        ItemExecution twice = new ItemExecution(new RetrySettings(Duration.ofSeconds(12), 1.0, null, 2, null),
                null, null, null, null);
        harness.send(job("doomed", 0, "flaky", failures(9), twice), 0);

        ItemResult result = awaitResultWhileTimePasses("doomed", Duration.ofSeconds(3));

        assertThat(result.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(harness.deadLetters(1)).singleElement().satisfies(letter -> {
            assertThat(header(letter, FanoutHeaders.DLT_ORIGINAL_TOPIC))
                    .as("the lane, not the retry tier").isEqualTo(harness.topics.jobs(Lane.NORMAL).name());
            assertThat(header(letter, FanoutHeaders.DLT_ORIGINAL_OFFSET)).isEqualTo("0");
            assertThat(header(letter, FanoutHeaders.DLT_ATTEMPTS)).isEqualTo("2");
            assertThat(Instant.parse(header(letter, FanoutHeaders.DLT_FIRST_FAILURE)))
                    .isBefore(Instant.parse(header(letter, FanoutHeaders.DLT_LAST_FAILURE)));
        });
    }

    @Test
    void aBatchRetryPolicyOverridesTheHandlerWhichRetriesNothing() {
        harness.start(InstantSource.system(), 4, Map.of(), flaky(InstantSource.system(), attempts));
        ItemExecution threeTimes = new ItemExecution(new RetrySettings(Duration.ofMillis(10), 1.0, null, 3, null),
                null, null, null, null);
        harness.send(job("policy", 0, "flaky", failures(2), threeTimes), 0);
        harness.send(job("policy", 1, "flaky", failures(2), null), 0);

        List<ItemResult> results = harness.results(2);

        assertThat(results).filteredOn(r -> r.index() == 0).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
            assertThat(r.attempts()).isEqualTo(3);
        });
        assertThat(results).filteredOn(r -> r.index() == 1).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(r.attempts()).isEqualTo(1);
        });
    }

    /** Moves the clock on by {@code step} at each check until the batch has a result. */
    private ItemResult awaitResultWhileTimePasses(String batchId, Duration step) {
        ItemResult[] found = new ItemResult[1];
        await().atMost(WorkerHarness.TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> {
            Optional<ItemResult> result = harness.resultsNow().stream()
                    .filter(r -> r.batchId().equals(batchId)).findFirst();
            clock.advance(step);
            result.ifPresent(r -> found[0] = r);
            return result.isPresent();
        });
        return found[0];
    }

    private Duration gap(long index, int from, int to) {
        List<Attempt> seen = attempts.get(index);
        return Duration.between(seen.get(from - 1).at(), seen.get(to - 1).at());
    }

    private static JsonNode failures(int count) {
        return JsonNodeFactory.instance.objectNode().put("failures", count);
    }

    private record Attempt(int number, Instant at) {
    }

    /** {@code flaky}: fails the first {@code payload.failures} attempts, noting each attempt's clock time. */
    private static ItemHandlerProvider flaky(InstantSource clock, Map<Long, List<Attempt>> attempts) {
        return ItemHandlerProvider.of("flaky", item -> {
            int attempt = item.context().attempt();
            attempts.computeIfAbsent(item.context().index(), i -> new CopyOnWriteArrayList<>())
                    .add(new Attempt(attempt, clock.instant()));
            if (attempt <= item.payload().path("failures").asInt()) {
                throw new RetriableException("attempt " + attempt + " failed");
            }
            return JsonNodeFactory.instance.objectNode().put("attempt", attempt);
        });
    }
}
