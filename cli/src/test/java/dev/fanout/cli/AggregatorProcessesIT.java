package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.results.ResultsClient;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator run as operators run it: {@code fanout aggregator}, {@code fanout worker}, {@code fanout dispatch}
 * and {@code fanout status}, each its own process ({@link FanoutProcesses}), against a real broker.
 */
@ExtendWith(KafkaExtension.class)
class AggregatorProcessesIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final String STARTED = "results API on (http://\\S+) ";
    private static final String RESTORED = "aggregator running with partitions .*; restored (\\d+) records from"
            + " changelogs";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private FanoutProcesses fanout;
    private String servers;
    private String prefix;

    @BeforeEach
    void start(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        prefix = "proc-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        fanout = new FanoutProcesses(dir);
    }

    @AfterEach
    void stop() {
        fanout.close();
    }

    private FanoutProcesses.Service aggregator(String name, Map<String, String> env, String... more) {
        List<String> args = new ArrayList<>(List.of("aggregator", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--http-port", "0"));
        args.addAll(List.of(more));
        return fanout.start(name, env, args.toArray(String[]::new));
    }

    private HttpResponse<String> get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The batch is dispatched (and sealed) before the worker starts, so every item is published. Its items share one
     * key, so the worker runs them one at a time in order: item 100 fails while most of the rest wait, and are
     * cancelled by the workers. The aggregator starts while the batch is dispatched (it reads the topics from their
     * start).
     */
    @Test
    void aFailFastBatchOf2000WithOneFailureEndsWithSucceededFailedAndCancelledAddingUpTo2000InStatusJson()
            throws Exception {
        FanoutProcesses.Service aggregator = aggregator("aggregator", Map.of("FANOUT_HOME", dir.resolve("home")
                .toString()));
        String batchId = "ff-" + prefix.substring(5, 13);
        FanoutProcesses.Finished dispatched = fanout.run(START, "dispatch", failFastBatch(batchId, 2000, 100)
                .toString(), "--bootstrap-servers", servers, "--topic-prefix", prefix);
        assertThat(dispatched.exitCode()).as(dispatched.output()).isZero();
        assertThat(dispatched.output()).contains("sealed with 2,000 items");
        URI api = URI.create(aggregator.awaitLine(STARTED, START).group(1));
        aggregator.awaitLine("aggregator .* running on", START);
        fanout.start("worker", "worker", "--bootstrap-servers", servers, "--topic-prefix", prefix,
                "--concurrency", "8", "--worker-id", "ff-worker");

        assertSettledWithEveryItemAccountedFor(api, batchId);
    }

    /**
     * The worker runs while the batch is published, at most 20 items published without a result (the batch's
     * {@code maxConcurrency}): item 100 fails and decides the batch while the dispatcher is still publishing; it
     * records the items it never published as cancelled and seals the batch, so the batch settles all the same.
     */
    @Test
    void aFailFastBatchDecidedWhileStillBeingPublishedSettlesWithItsUnpublishedItemsCancelled() throws Exception {
        FanoutProcesses.Service aggregator = aggregator("aggregator", Map.of("FANOUT_HOME", dir.resolve("home")
                .toString()));
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--concurrency", "8", "--worker-id", "ff-worker-early");
        URI api = URI.create(aggregator.awaitLine(STARTED, START).group(1));
        aggregator.awaitLine("aggregator .* running on", START);
        worker.awaitLine("owns \\d+ partitions", START);
        String batchId = "ffe-" + prefix.substring(5, 13);
        Path batch = failFastBatch(batchId, 2000, 100);
        ObjectNode windowed = (ObjectNode) Envelopes.mapper().readTree(batch.toFile());
        windowed.put("maxConcurrency", 20);
        Files.writeString(batch, Envelopes.mapper().writeValueAsString(windowed));

        FanoutProcesses.Finished dispatched = fanout.run(START, "dispatch", batch.toString(), "--bootstrap-servers",
                servers, "--topic-prefix", prefix);

        assertThat(dispatched.exitCode()).as(dispatched.output()).isZero();
        assertThat(dispatched.output()).contains("the batch was decided before the end")
                .contains("are recorded cancelled; sealed with 2,000 items");
        assertSettledWithEveryItemAccountedFor(api, batchId);
    }

    private void assertSettledWithEveryItemAccountedFor(URI api, String batchId) throws Exception {
        ResultsClient results = ResultsClient.of(api);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                results.batch(batchId) instanceof ResultsClient.Found<BatchView> found && found.value().decided()
                        && found.value().decision().settled());

        FanoutProcesses.Finished status = fanout.run(START, "status", batchId, "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--aggregator-url", api.toString(), "--json");
        assertThat(status.exitCode()).as(status.output()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(status.lastJson());
        assertThat(decision.path("status").asText()).isEqualTo("FAILED");
        assertThat(decision.path("settled").asBoolean()).isTrue();
        assertThat(decision.path("revision").asInt()).as("the decision, then the settling revision").isEqualTo(2);
        assertThat(decision.path("reason").asText()).startsWith("fail_fast: item 100 failed; revision 2 settles");
        long succeeded = decision.path("succeeded").asLong();
        long failed = decision.path("failed").asLong();
        long cancelled = decision.path("cancelled").asLong();
        long timedOut = decision.path("timedOut").asLong();
        assertThat(decision.path("total").asLong()).isEqualTo(2000);
        assertThat(failed - cancelled - timedOut).as("the one item that failed").isEqualTo(1);
        assertThat(cancelled).as("the items that never ran").isPositive();
        assertThat(succeeded + (failed - cancelled - timedOut) + cancelled + timedOut).isEqualTo(2000);
        assertThat(decision.path("deadLettered").asLong()).isEqualTo(1);
        assertThat(status.output()).doesNotContain("not settled");
    }

    @Test
    void theAggregatorExitsNonZeroWhenItsResultsTopicIsDeletedUnderIt() throws Exception {
        FanoutProcesses.Service aggregator = aggregator("aggregator", Map.of(), "--state-dir",
                dir.resolve("state").toString());
        URI api = URI.create(aggregator.awaitLine(STARTED, START).group(1));
        aggregator.awaitLine("aggregator .* running on", START);
        assertThat(get(api.resolve("/healthz")).body()).isEqualTo("{\"status\":\"UP\"}");

        try (Admin admin = Admin.create(KafkaSettings.of(servers).clientProperties())) {
            admin.deleteTopics(List.of(prefix + "results")).all().get();
        }

        int code = aggregator.awaitExit(Duration.ofMinutes(3));
        assertThat(code).as(aggregator.output()).isEqualTo(1);
        assertThat(aggregator.output()).contains("fanout: the aggregator stopped (Kafka Streams state ")
                .contains("MissingSourceTopicException");
    }

    @Test
    void aRestartOnItsStateDirectoryRestoresNoStoreFromTheChangelogsWhileAFreshOneRestoresThem() throws Exception {
        Map<String, String> home = Map.of("FANOUT_HOME", dir.resolve("home").toString());
        FanoutProcesses.Service first = aggregator("aggregator-1", home);
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix);
        first.awaitLine("aggregator .* running on", START);
        worker.awaitLine("owns ", START);
        String batchId = "kept-" + prefix.substring(5, 13);
        FanoutProcesses.Finished dispatched = fanout.run(START, "dispatch", echoBatch(batchId, 20).toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--wait");
        assertThat(dispatched.exitCode()).as(dispatched.output()).isZero();
        worker.terminate();
        first.terminate();
        first.awaitExit(START);
        assertThat(dir.resolve("home/state/" + prefix + "aggregator")).as("the default state directory").isDirectory();

        FanoutProcesses.Service second = aggregator("aggregator-2", home);
        Matcher restored = second.awaitLine(RESTORED, START);
        assertThat(Long.parseLong(restored.group(1))).as(second.output()).isZero();
        assertThat(second.output()).doesNotContainPattern("restored [1-9]\\d* records from changelog");
        URI secondApi = URI.create(second.awaitLine(STARTED, START).group(1));
        FanoutProcesses.Finished status = fanout.run(START, "status", batchId, "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--aggregator-url", secondApi.toString(), "--json");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(Envelopes.mapper().readTree(status.lastJson()).path("succeeded").asLong()).isEqualTo(20);
        second.terminate();
        second.awaitExit(START);

        FanoutProcesses.Service third = aggregator("aggregator-3", Map.of("FANOUT_HOME",
                dir.resolve("elsewhere").toString()));
        Matcher fromChangelogs = third.awaitLine(RESTORED, START);
        assertThat(Long.parseLong(fromChangelogs.group(1))).as("a fresh directory restores the stores").isPositive();
        assertThat(third.output()).containsPattern("store aggregator-items partition \\d+: restored [1-9]\\d* records"
                + " from changelog");
    }

    /**
     * Two instances, started together, share one partition: whichever Kafka Streams assigns it to is ready, the other
     * is alive but not ready; when the owner stops, the other is assigned the partition and turns ready.
     */
    @Test
    void readyzTurnsReadyOnlyOnceTheInstanceIsAssignedPartitions() throws Exception {
        KafkaSettings settings = KafkaSettings.of(servers).withTopicPrefix(prefix).withPartitions(1, 1);
        TopicInitializer.ensure(settings, settings.topics().all());
        FanoutProcesses.Service a = aggregator("aggregator-a", Map.of(), "--state-dir", dir.resolve("a").toString());
        FanoutProcesses.Service b = aggregator("aggregator-b", Map.of(), "--state-dir", dir.resolve("b").toString());
        URI aApi = URI.create(a.awaitLine(STARTED, START).group(1));
        URI bApi = URI.create(b.awaitLine(STARTED, START).group(1));
        a.awaitLine("aggregator .* running on", START);
        b.awaitLine("aggregator .* running on", START);

        String[] answers = new String[2];
        await().atMost(START).ignoreExceptions().until(() -> {
            answers[0] = get(aApi.resolve("/readyz")).body();
            answers[1] = get(bApi.resolve("/readyz")).body();
            return answers[0].contains("READY\"}") != answers[1].contains("READY\"}")
                    && (answers[0] + answers[1]).contains("no partitions are assigned to this instance");
        });
        boolean aOwns = answers[0].equals("{\"status\":\"READY\"}");
        FanoutProcesses.Service owner = aOwns ? a : b;
        FanoutProcesses.Service other = aOwns ? b : a;
        URI otherApi = aOwns ? bApi : aApi;
        HttpResponse<String> idle = get(otherApi.resolve("/readyz"));
        assertThat(idle.statusCode()).isEqualTo(503);
        assertThat(idle.body()).startsWith("{\"status\":\"NOT_READY\",\"reason\":\"no partitions are assigned");
        assertThat(get(otherApi.resolve("/healthz")).body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(other.output()).contains("aggregator running with partitions [] of");

        owner.terminate();
        owner.awaitExit(START);

        await().atMost(START).ignoreExceptions().until(() -> get(otherApi.resolve("/readyz")).statusCode() == 200);
        assertThat(get(otherApi.resolve("/readyz")).body()).isEqualTo("{\"status\":\"READY\"}");
        assertThat(other.output()).contains("aggregator running with partitions [0] of");
    }

    /**
     * A fail_fast batch of the simulate handler (20 ms an item) whose item {@code failing} fails, once; every item has
     * the same key.
     */
    private Path failFastBatch(String batchId, int items, int failing) throws IOException {
        ObjectNode batch = Envelopes.mapper().createObjectNode();
        batch.put("batchId", batchId).put("handler", "simulate");
        batch.putObject("settings").put("latencyMs", 20).put("distribution", "fixed");
        batch.put("keyField", "/k");
        batch.putObject("policy").put("strategy", "fail_fast");
        batch.putObject("retry").put("maximumAttempts", 1);
        ArrayNode list = batch.putArray("items");
        for (int i = 0; i < items; i++) {
            if (i == failing) {
                ObjectNode item = list.addObject();
                item.putObject("payload").put("k", "one").put("n", i);
                item.putObject("settings").put("failureRate", 1.0);
            } else {
                list.addObject().put("k", "one").put("n", i);
            }
        }
        Path file = dir.resolve(batchId + ".json");
        Files.writeString(file, Envelopes.mapper().writeValueAsString(batch));
        return file;
    }

    private Path echoBatch(String batchId, int items) throws IOException {
        StringBuilder yaml = new StringBuilder("batchId: " + batchId + "\nhandler: echo\nitems:\n");
        for (int i = 0; i < items; i++) {
            yaml.append("  - {n: ").append(i).append("}\n");
        }
        Path file = dir.resolve(batchId + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
