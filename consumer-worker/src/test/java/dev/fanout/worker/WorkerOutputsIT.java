package dev.fanout.worker;

import static dev.fanout.worker.WorkerHarness.header;
import static dev.fanout.worker.WorkerHarness.job;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.protocol.Lane;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/** A batch's output schema and its {@code deadLetterQueue: false}, on the real broker. */
@ExtendWith(KafkaExtension.class)
class WorkerOutputsIT {

    private WorkerHarness harness;
    private Worker worker;

    @BeforeEach
    void setUp(TestKafka kafka) {
        harness = new WorkerHarness(kafka.bootstrapServers(), "outputs", 1);
        worker = harness.start(InstantSource.system(), 4, Map.of(),
                ItemHandlerProvider.of("overflow", item -> overflow(0)),
                ItemHandlerProvider.of("self-interrupt", item -> {
                    throw new InterruptedException("the handler's own interrupt");
                }));
    }

    private static JsonNode overflow(int depth) {
        return overflow(depth + 1);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void anOutputThatFailsTheBatchSchemaIsRetriedThenDeadLetteredAsOutputInvalid() throws Exception {
        JsonNode schema = new ObjectMapper().readTree("""
                {"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}}""");
        ItemExecution batch = new ItemExecution(new RetrySettings(Duration.ofMillis(10), 1.0, null, 2, null), null,
                null, schema, null);
        harness.send(job("schema", 0, "echo", JsonNodeFactory.instance.objectNode().put("n", 1), batch), 0);
        harness.send(job("schema", 1, "echo", JsonNodeFactory.instance.objectNode().put("n", "one"), batch), 0);

        List<ItemResult> results = harness.results(2);

        assertThat(results).filteredOn(r -> r.index() == 0).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED));
        assertThat(results).filteredOn(r -> r.index() == 1).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.FAILED);
            assertThat(r.reason()).isEqualTo(FailureReason.OUTPUT_INVALID);
            assertThat(r.attempts()).as("retries apply to invalid outputs").isEqualTo(2);
            assertThat(r.output()).as("nothing invalid reaches the aggregator").isNull();
            assertThat(r.error().message()).contains("outputSchema").contains("n");
        });
        assertThat(harness.deadLetters(1)).singleElement().satisfies(letter -> {
            assertThat(header(letter, FanoutHeaders.DLT_REASON)).isEqualTo("OUTPUT_INVALID");
            assertThat(header(letter, FanoutHeaders.DLT_EXCEPTION_CLASS)).endsWith("OutputInvalid");
        });
        assertThat(worker.metrics().outputInvalid().getCount()).isEqualTo(2);
    }

    @Test
    void withDeadLetterQueueOffAFailureIsRecordedInTheResultOnly() {
        JsonNode alwaysFails = JsonNodeFactory.instance.objectNode().put("latencyMs", 1).put("failureRate", 1.0);
        ItemExecution noDlq = new ItemExecution(null, null, null, null, false);
        harness.send(job("quiet", 0, "simulate", alwaysFails, JsonNodeFactory.instance.objectNode(), noDlq), 0);
        harness.send(job("loud", 0, "simulate", alwaysFails, JsonNodeFactory.instance.objectNode(), null), 0);

        List<ItemResult> results = harness.results(2);

        assertThat(results).filteredOn(r -> r.batchId().equals("quiet")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.FAILED);
            assertThat(r.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(r.deadLettered()).isFalse();
        });
        assertThat(results).filteredOn(r -> r.batchId().equals("loud")).singleElement()
                .satisfies(r -> assertThat(r.deadLettered()).isTrue());
        assertThat(harness.deadLetters(1)).singleElement()
                .satisfies(letter -> assertThat(header(letter, FanoutHeaders.BATCH_ID)).isEqualTo("loud"));
    }

    @Test
    void errorsNothingElseCatchesAreDeadLetteredAndThePartitionGoesOnCommitting() {
        harness.send(job("odd", 0, "overflow", JsonNodeFactory.instance.objectNode(), null), 0);
        harness.send(job("odd", 1, "self-interrupt", JsonNodeFactory.instance.objectNode(), null), 0);
        harness.send(job("odd", 2, "echo", JsonNodeFactory.instance.objectNode().put("n", 2), null), 0);

        List<ItemResult> results = harness.results(3);

        assertThat(results).filteredOn(r -> r.index() == 0).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(r.error().type()).endsWith("StackOverflowError");
        });
        assertThat(results).filteredOn(r -> r.index() == 1).singleElement().satisfies(r -> {
            assertThat(r.reason()).as("not mistaken for the worker stopping").isEqualTo(FailureReason.HANDLER_ERROR);
            assertThat(r.error().message()).isEqualTo("the handler's own interrupt");
        });
        assertThat(results).filteredOn(r -> r.index() == 2).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(ItemStatus.SUCCEEDED));
        Awaitility.await().atMost(WorkerHarness.TIMEOUT).untilAsserted(() -> {
            try (var admin = Admin.create(harness.settings.clientProperties())) {
                var committed = admin.listConsumerGroupOffsets(harness.groupId).partitionsToOffsetAndMetadata().get();
                assertThat(committed.get(new TopicPartition(
                        harness.topics.jobs(Lane.NORMAL).name(), 0)))
                        .isNotNull().extracting(OffsetAndMetadata::offset)
                        .isEqualTo(3L);
            }
        });
    }
}
