package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchResultReader;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.RecordingDownstream;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy.onFailure: compensate} end to end, every service its own process ({@link FanoutProcesses}): each
 * succeeded item of a failed batch is compensated exactly once, even when the aggregator is killed (SIGKILL) while
 * it publishes the compensation batch; a compensation that fails is dead-lettered with its reason and parent batch.
 */
@ExtendWith(KafkaExtension.class)
class CompensationProcessesIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final Duration DONE = Duration.ofMinutes(3);
    private static final Set<Long> FAILING = Set.of(50L, 150L, 250L, 350L, 450L, 550L, 650L, 750L, 850L, 950L);

    @TempDir
    Path dir;

    private FanoutProcesses fanout;
    private RecordingDownstream downstream;
    private KafkaSettings kafka;
    private String servers;
    private String prefix;

    @BeforeEach
    void start(TestKafka broker) {
        servers = broker.bootstrapServers();
        prefix = "comp-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        kafka = KafkaSettings.of(servers).withTopicPrefix(prefix);
        fanout = new FanoutProcesses(dir);
        downstream = RecordingDownstream.start();
    }

    @AfterEach
    void stop() {
        fanout.close();
        downstream.close();
    }

    /** Starts an aggregator; {@link #awaitRunning} waits for it. */
    private FanoutProcesses.Service aggregator(String name) {
        // a short session: the restarted aggregator takes over the killed one's partitions in seconds, not 45
        return fanout.start(name, Map.of("FANOUT_HOME", dir.resolve("home").toString(),
                "FANOUT_KAFKA_SESSION_TIMEOUT_MS", "6000"), "aggregator", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--http-port", "-1");
    }

    private static void awaitRunning(FanoutProcesses.Service aggregator) {
        aggregator.awaitLine("aggregator .* running on", START);
    }

    /**
     * A worker with the handler {@code undo}: a POST to {@code /undo/<index of the compensated item>/}. Started while
     * the aggregator starts, and waited for until it owns partitions.
     */
    private void worker() throws Exception {
        Path config = dir.resolve("worker.yaml");
        Files.writeString(config, """
                handlers:
                  undo:
                    type: http
                    settings:
                      url: "%s"
                """.formatted(downstream.url("/undo/{{compensates.index}}/")));
        fanout.start("worker", "worker", "--bootstrap-servers", servers, "--topic-prefix", prefix, "--concurrency",
                "4", "--config", config.toString(), "--worker-id", "comp-worker")
                .awaitLine("owns \\d+ partitions", START);
    }

    private void dispatch(Path batch) {
        FanoutProcesses.Finished dispatched = fanout.run(START, "dispatch", batch.toString(), "--bootstrap-servers",
                servers, "--topic-prefix", prefix);
        assertThat(dispatched.exitCode()).as(dispatched.output()).isZero();
    }

    @Test
    void eachSucceededItemOfAFailedBatchIsCompensatedExactlyOnceThoughTheAggregatorIsKilledMidway() throws Exception {
        FanoutProcesses.Service first = aggregator("aggregator-1");
        worker();
        awaitRunning(first);
        String batchId = "orders-" + prefix.substring(5, 13);
        dispatch(batch(batchId, 1000, FAILING, compensation("undo", null)));

        await().atMost(DONE).until(() -> downstream.count("/undo/") >= 50);
        first.kill(); // SIGKILL while results still arrive and compensation jobs are being published
        long atKill = downstream.count("/undo/");
        awaitRunning(aggregator("aggregator-2"));

        BatchResult child = awaitSettled(batchId + ".compensation");
        BatchResult parent = awaitSettled(batchId);
        assertThat(atKill).as("the kill came before the compensation batch was complete").isLessThan(990);
        assertThat(parent.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(parent.failed()).isEqualTo(10);
        assertThat(parent.compensationBatchId()).isEqualTo(batchId + ".compensation");
        assertThat(parent.compensated()).isEqualTo(990);
        assertThat(child.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(child.total()).isEqualTo(990);
        assertThat(child.succeeded()).isEqualTo(990);
        assertThat(downstream.count("/undo/")).as("compensation calls in all").isEqualTo(990);
        List<Long> notOnce = LongStream.range(0, 1000).filter(index -> !FAILING.contains(index))
                .filter(index -> downstream.count("/undo/" + index + "/") != 1).boxed().toList();
        assertThat(notOnce).as("succeeded items not compensated exactly once").isEmpty();
        assertThat(LongStream.range(0, 1000).filter(FAILING::contains)
                .map(index -> downstream.count("/undo/" + index + "/")).sum()).as("failed items compensated")
                .isZero();
    }

    @Test
    void aCompensationThatFailsIsDeadLetteredWithItsReasonAndParentBatch() throws Exception {
        FanoutProcesses.Service aggregator = aggregator("aggregator");
        worker();
        awaitRunning(aggregator);
        String batchId = "voids-" + prefix.substring(5, 13);
        dispatch(batch(batchId, 3, Set.of(2L), compensation("simulate", Envelopes.mapper().createObjectNode()
                .put("latencyMs", 0).put("failureRate", 1.0))));

        BatchResult child = awaitSettled(batchId + ".compensation");
        assertThat(child.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(child.total()).isEqualTo(2);
        assertThat(child.deadLettered()).isEqualTo(2);
        try (TopicRecords records = new TopicRecords(servers)) {
            // the parent's failed item 2 is dead-lettered too: the compensation jobs' dead letters are the others
            List<ConsumerRecord<String, byte[]>> deadLetters = records.awaitAtLeast(
                    kafka.topics().deadLetters().name(), 3, DONE).stream()
                    .filter(record -> FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID)
                            .equals(Optional.of(batchId + ".compensation"))).toList();
            assertThat(deadLetters).hasSize(2).allSatisfy(deadLetter -> {
                assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.COMPENSATION_OF)).contains(batchId);
                assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_REASON))
                        .contains("HANDLER_ERROR");
                JsonNode job = Envelopes.decode(deadLetter.value(), JobRecord.class).payload();
                assertThat(job.path("compensates").path("batchId").asText()).isEqualTo(batchId);
                long index = job.path("compensates").path("index").asLong();
                assertThat(job.path("payload").path("order").asLong()).as("the item's payload").isEqualTo(index);
                assertThat(job.path("output").path("index").asLong()).as("the item's output").isEqualTo(index);
                assertThat(deadLetter.key()).as("the item's key").isEqualTo("customer-" + index);
                assertThat(FanoutHeaders.text(deadLetter.headers(), FanoutHeaders.DLT_EXCEPTION_MESSAGE).orElse(""))
                        .contains("simulated failure");
            });
        }
    }

    private BatchResult awaitSettled(String batchId) {
        return await().atMost(DONE).pollInterval(Duration.ofMillis(500))
                .until(() -> BatchResultReader.latest(kafka, batchId).orElse(null),
                        result -> result != null && result.settled());
    }

    private static ObjectNode compensation(String handler, ObjectNode settings) {
        ObjectNode compensation = Envelopes.mapper().createObjectNode().put("handler", handler);
        if (settings != null) {
            compensation.set("settings", settings);
        }
        return compensation;
    }

    /**
     * A {@code simulate} batch of {@code total} items (20 ms each, no retries) whose {@code failing} items fail,
     * under {@code wait_all}, {@code minSuccessRate: 1.0} and {@code onFailure: compensate}.
     */
    private Path batch(String batchId, int total, Set<Long> failing, ObjectNode compensation) throws Exception {
        ObjectNode batch = Envelopes.mapper().createObjectNode().put("batchId", batchId).put("handler", "simulate");
        batch.putObject("settings").put("latencyMs", 20);
        batch.putObject("retry").put("maximumAttempts", 1);
        batch.putObject("policy").put("strategy", "wait_all").put("minSuccessRate", 1.0)
                .put("onFailure", "compensate");
        batch.set("compensation", compensation);
        ArrayNode items = batch.putArray("items");
        for (long index = 0; index < total; index++) {
            ObjectNode item = items.addObject().put("key", "customer-" + index % 50);
            item.putObject("payload").put("order", index);
            if (failing.contains(index)) {
                item.putObject("settings").put("failureRate", 1.0);
            }
        }
        Path file = dir.resolve(batchId + ".json");
        Files.writeString(file, Envelopes.mapper().writeValueAsString(batch));
        return file;
    }
}
