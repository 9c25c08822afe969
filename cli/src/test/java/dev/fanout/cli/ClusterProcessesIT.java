package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Envelopes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout broker --nodes 3} as a user starts it: three KRaft nodes, Fanout's topics replicated three times with
 * {@code min.insync.replicas} 2, a batch run through it, and a node killed with SIGKILL started again by the command
 * while the next batch runs; when the command itself is killed, its nodes stop and remove the temporary cluster.
 */
class ClusterProcessesIT {

    private static final Duration START = Duration.ofMinutes(3);
    private static final int ITEMS = 2_000;

    @TempDir
    Path dir;

    private FanoutProcesses fanout;
    private String servers;

    @AfterEach
    void stop() {
        if (fanout != null) {
            fanout.close();
        }
    }

    @Test
    void batchesRunOnAThreeNodeClusterWhoseTopicsAreReplicatedAndAKilledNodeComesBack() throws Exception {
        fanout = new FanoutProcesses(dir);
        FanoutProcesses.Service broker = fanout.start("broker", "broker", "--nodes", "3", "--port", "0",
                "--heap", "384m", "--http-port", "-1");
        Matcher ready = broker.awaitLine("ready at (\\S+); data in (\\S+?)(?:;|\\. Ctrl-C)", START);
        servers = ready.group(1);
        Path data = Path.of(ready.group(2));
        Matcher pids = broker.awaitLine("Nodes \\(pid\\): 1 \\((\\d+)\\), 2 \\((\\d+)\\), 3 \\((\\d+)\\)", START);
        long third = Long.parseLong(pids.group(3));
        assertThat(servers.split(",")).hasSize(3);

        FanoutProcesses.Service aggregator = fanout.start("aggregator", "aggregator", "--bootstrap-servers", servers,
                "--http-port", "0", "--state-dir", dir.resolve("state").toString());
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--config", workerConfig().toString(), "--worker-id", "cluster-w1");
        worker.awaitLine("owns \\d+ partitions", START);
        aggregator.awaitLine("aggregator .* running", START);
        assertThat(dispatch("first")).isEqualTo(ITEMS);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Set.of("fanout.results", "fanout.jobs.normal"))
                    .allTopicNames().get();
            assertThat(topics.values()).allSatisfy(topic -> assertThat(topic.partitions())
                    .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3)));
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, "fanout.results");
            assertThat(admin.describeConfigs(Set.of(results)).all().get().get(results).get("min.insync.replicas")
                    .value()).isEqualTo("2");
        }

        ProcessHandle.of(third).orElseThrow().destroyForcibly();
        broker.awaitLine("node 3 exited; starting it again", START);
        assertThat(dispatch("second")).as("a batch runs while node 3 is away and comes back").isEqualTo(ITEMS);
        broker.awaitLine("node 3 is back", START);

        broker.process().destroyForcibly(); // the command alone: its nodes see their parent gone
        await("a killed command's nodes remove the temporary cluster").atMost(START)
                .until(() -> !Files.exists(data));
    }

    /** Dispatches a batch, waits for its decision, and returns how many items succeeded. */
    private long dispatch(String batchId) throws Exception {
        Path file = dir.resolve(batchId + ".yaml");
        Files.writeString(file, "batchId: " + batchId + "\nhandler: sim\nitems:\n" + IntStream.range(0, ITEMS)
                .mapToObj(i -> "  - {n: " + i + "}").collect(Collectors.joining("\n", "", "\n")));
        FanoutProcesses.Finished run = fanout.run(START, "dispatch", file.toString(), "--bootstrap-servers", servers,
                "--wait", "--json");
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(run.lastJson());
        assertThat(decision.path("status").asText()).isEqualTo("SUCCEEDED");
        return decision.path("succeeded").asLong();
    }

    private Path workerConfig() throws IOException {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, """
                maxConcurrency: 32
                handlers:
                  sim: {type: simulate, settings: {latencyMs: 2, distribution: fixed}}
                """);
        return file;
    }
}
