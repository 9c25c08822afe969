package dev.fanout.worker;

import static dev.fanout.worker.WorkerHarness.header;
import static dev.fanout.worker.WorkerHarness.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every {@code onTimeout} mode, on the real broker. */
@ExtendWith(KafkaExtension.class)
class WorkerTimeoutsIT {

    private WorkerHarness harness;
    private final Set<Long> interrupted = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp(TestKafka kafka) {
        harness = new WorkerHarness(kafka.bootstrapServers(), "timeouts", 1);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void underOnTimeoutErrorATimeoutIsAFailureThatIsRetriedAndThenDeadLetteredAsTimeout() {
        RetryPolicy twice = new RetryPolicy(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 2, null);
        harness.start(InstantSource.system(), 4, Map.of("sleepy", new HandlerSpec("sleepy", null, null, null,
                Duration.ofMillis(200), TimeoutPolicy.ERROR, twice)), new Sleepy(interrupted));
        harness.send(job("b", 0, "sleepy", sleep(30_000), null), 0);
        harness.send(job("b", 1, "sleepy", sleep(0), null), 0);

        List<ItemResult> results = harness.results(2);

        assertThat(result(results, 0)).satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.FAILED);
            assertThat(r.reason()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.error().message()).contains("ran past its timeout of 200 ms");
        });
        assertThat(result(results, 1).status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(harness.deadLetters(1)).singleElement().satisfies(letter -> {
            assertThat(header(letter, FanoutHeaders.DLT_REASON)).isEqualTo("TIMEOUT");
            assertThat(header(letter, FanoutHeaders.DLT_ATTEMPTS)).isEqualTo("2");
            assertThat(header(letter, FanoutHeaders.DLT_EXCEPTION_MESSAGE)).contains("ran past its timeout");
        });
        assertThat(interrupted).as("each timed-out attempt was interrupted").contains(0L);
    }

    @Test
    void underOnTimeoutCancelTheHandlerIsInterruptedAndTheItemRecordedTimedOutWithoutRetries() {
        RetryPolicy manyTimes = new RetryPolicy(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 5, null);
        Worker worker = harness.start(InstantSource.system(), 4, Map.of("sleepy", new HandlerSpec("sleepy", null,
                null, null, Duration.ofMillis(200), TimeoutPolicy.CANCEL, manyTimes)), new Sleepy(interrupted));
        harness.send(job("b", 0, "sleepy", sleep(30_000), null), 0);

        assertThat(harness.results(1)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.TIMED_OUT);
            assertThat(r.reason()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(r.attempts()).as("cancel does not retry").isEqualTo(1);
            assertThat(r.deadLettered()).isTrue();
        });
        assertThat(harness.deadLetters(1)).singleElement()
                .satisfies(letter -> assertThat(header(letter, FanoutHeaders.DLT_REASON)).isEqualTo("TIMEOUT"));
        await().atMost(WorkerHarness.TIMEOUT).untilAsserted(() -> assertThat(interrupted).containsExactly(0L));
        assertThat(worker.metrics().abandoned().getCount()).as("it stopped when interrupted").isZero();
    }

    @Test
    void underOnTimeoutContinueTheItemIsTimedOutAtOnceAndItsLateOutputIsAttachedWhenTheHandlerFinishes() {
        Worker worker = harness.start(InstantSource.system(), 1, Map.of(), new Sleepy(interrupted));
        // the batch sets the timeout and the mode; the handler has neither
        ItemExecution batch = new ItemExecution(null, Duration.ofMillis(150), TimeoutPolicy.CONTINUE, null, null);
        harness.send(job("b", 0, "sleepy", sleep(5_000), batch), 0);
        harness.results(1);
        harness.send(job("b", 1, "sleepy", sleep(0), batch), 0); // sent once item 0 has timed out

        List<ItemResult> results = harness.results(3);

        assertThat(results).hasSize(3);
        assertThat(results.get(0)).satisfies(r -> {
            assertThat(r.index()).isZero();
            assertThat(r.status()).isEqualTo(ItemStatus.TIMED_OUT);
            assertThat(r.isLate()).isFalse();
            assertThat(r.deadLettered()).isFalse();
            assertThat(r.output()).isNull();
        });
        assertThat(results.get(1)).as("one slot: item 1 ran while item 0's handler went on, outside the slot")
                .satisfies(r -> {
                    assertThat(r.index()).isEqualTo(1);
                    assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
                });
        assertThat(results.get(2)).satisfies(r -> {
            assertThat(r.index()).isZero();
            assertThat(r.isLate()).isTrue();
            assertThat(r.status()).isEqualTo(ItemStatus.TIMED_OUT);
            assertThat(r.output().path("slept").asLong()).isEqualTo(5_000);
        });
        assertThat(harness.records.readAll(harness.topics.deadLetters().name())).isEmpty();
        assertThat(worker.metrics().continued().getCount()).isEqualTo(1);
        assertThat(interrupted).as("continue never interrupts").isEmpty();
    }

    private static JsonNode sleep(long millis) {
        return JsonNodeFactory.instance.objectNode().put("sleepMs", millis);
    }

    private static ItemResult result(List<ItemResult> results, long index) {
        return results.stream().filter(r -> r.index() == index).findFirst().orElseThrow();
    }

    /** {@code sleepy}: sleeps {@code payload.sleepMs}, noting an interruption, and answers {@code {"slept": ms}}. */
    private record Sleepy(Set<Long> interrupted) implements ItemHandlerProvider {
        @Override
        public String name() {
            return "sleepy";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                long millis = item.payload().path("sleepMs").asLong();
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    interrupted.add(item.context().index());
                    throw e;
                }
                return JsonNodeFactory.instance.objectNode().put("slept", millis);
            };
        }
    }
}
