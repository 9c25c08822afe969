package dev.fanout.worker;

import dev.fanout.protocol.TimeoutPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import dev.fanout.handler.RetriableException;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-handler timeouts and retries inside the worker. */
@ExtendWith(KafkaExtension.class)
class WorkerRetriesIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private KafkaSettings settings;
    private TopicRecords records;
    private Worker worker;
    private final Map<Long, AtomicInteger> calls = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp(TestKafka kafka) {
        settings = Jobs.isolated(kafka.bootstrapServers(), "retry", 2, 2);
        records = new TopicRecords(kafka.bootstrapServers());
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        records.close();
    }

    @Test
    void retriableFailuresAreRetriedWithBackoffAndTheLastOneIsDeadLetteredAsRetriesExhausted() throws Exception {
        RetryPolicy retry = new RetryPolicy(Duration.ofMillis(10), 2.0, Duration.ofMillis(50), 3, null);
        start(Map.of("flaky", new HandlerSpec("flaky", null, null, null, null, null, retry)), 4);
        // payload.failures: how many attempts fail before one succeeds; "permanent" fails without retries
        publish(0, JsonNodeFactory.instance.objectNode().put("failures", 2));
        publish(1, JsonNodeFactory.instance.objectNode().put("failures", 5));
        publish(2, JsonNodeFactory.instance.objectNode().put("failures", 5).put("permanent", true));

        List<ItemResult> results = awaitResults(3);

        assertThat(result(results, 0)).satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED);
            assertThat(r.attempts()).isEqualTo(3);
        });
        assertThat(result(results, 1)).satisfies(r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
            assertThat(r.attempts()).isEqualTo(3);
        });
        assertThat(result(results, 2)).satisfies(r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(r.attempts()).isEqualTo(1);
        });
        assertThat(calls.get(1L)).hasValue(3);
        assertThat(calls.get(2L)).hasValue(1);
        List<ConsumerRecord<String, byte[]>> dead = records.awaitAtLeast(settings.topics().deadLetters().name(), 2,
                TIMEOUT);
        assertThat(dead).extracting(r -> FanoutHeaders.text(r.headers(), FanoutHeaders.DLT_ATTEMPTS).orElse(""))
                .containsExactlyInAnyOrder("3", "1");
    }

    @Test
    void aTimedOutHandlerThatIgnoresInterruptionReleasesItsSlotAndIsRecordedTimedOut() throws Exception {
        start(Map.of("stubborn", new HandlerSpec("stubborn", null, null, null, Duration.ofMillis(300),
                TimeoutPolicy.CANCEL, null)), 1);
        publish(0, JsonNodeFactory.instance.objectNode().put("handler", "stubborn"));
        publish(1, JsonNodeFactory.instance.objectNode().put("handler", "stubborn"));

        List<ItemResult> results = awaitResults(2);

        assertThat(results).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.TIMED_OUT);
            assertThat(r.reason()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(r.error().message()).contains("ran past its timeout of 300 ms");
        });
        assertThat(worker.metrics().abandoned().getCount())
                .as("with one slot, the second item ran only because the first released it").isEqualTo(2);
    }

    private void start(Map<String, HandlerSpec> handlers, int concurrency) {
        HandlerCatalog catalog = HandlerCatalog.of(List.of(flaky(calls), new Stubborn()));
        worker = Worker.start(WorkerConfig.of(settings).withGroupId("g-" + UUID.randomUUID())
                        .withMaxConcurrency(concurrency).withOrdering(OrderingMode.UNORDERED)
                        .withHandlers(handlers, Map.of(), Map.of()),
                catalog, new MetricRegistry(), InstantSource.system(), null);
    }

    private void publish(long index, JsonNode payload) {
        String handler = payload.path("handler").asText("flaky");
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "retries", Long.toString(index), index, 3L, handler,
                null, payload, JobRecord.defaultTraceId("retries", index), 1, Instant.now());
        ProducerRecord<String, byte[]> record = Jobs.record(settings.topics().jobs(Lane.NORMAL).name(), "k" + index, job);
        records.send(record);
    }

    private List<ItemResult> awaitResults(int count) {
        return records.awaitAtLeast(settings.topics().results().name(), count, TIMEOUT).stream()
                .map(r -> Envelopes.decode(r.value(), ItemResult.class)).toList();
    }

    private static ItemResult result(List<ItemResult> results, long index) {
        return results.stream().filter(r -> r.index() == index).findFirst().orElseThrow();
    }

    /** {@code flaky}: fails the first {@code failures} attempts of an item, then succeeds. */
    private static ItemHandlerProvider flaky(Map<Long, AtomicInteger> calls) {
        return ItemHandlerProvider.of("flaky", item -> {
            int call = calls.computeIfAbsent(item.context().index(), i -> new AtomicInteger()).incrementAndGet();
            assertThat(item.context().attempt()).isEqualTo(call);
            if (call <= item.payload().path("failures").asInt()) {
                if (item.payload().path("permanent").asBoolean()) {
                    throw new PermanentException("input " + item.context().index() + " is invalid");
                }
                throw new RetriableException("attempt " + call + " failed");
            }
            return null;
        });
    }

    /** {@code stubborn}: ignores interruption and would run for a minute. */
    private static final class Stubborn implements ItemHandlerProvider {
        @Override
        public String name() {
            return "stubborn";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (System.nanoTime() < until) {
                    try {
                        Thread.sleep(50); // a handler that swallows interruption, on purpose
                    } catch (InterruptedException ignored) {
                        // ignoring the interrupt is the behaviour under test
                    }
                }
                return null;
            };
        }
    }
}
