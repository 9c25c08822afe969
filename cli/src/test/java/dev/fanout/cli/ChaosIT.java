package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.bench.chaos.ChaosSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's reduced set, as {@code scripts/chaos --faults kill-each} runs it: {@code fanout broker --nodes 3},
 * two aggregators and two workers as child processes started through {@code scripts/fanout}; during one batch of
 * 2,000 items a broker node (the broker command starts it again), an aggregator and a worker are killed with SIGKILL,
 * one after the other; {@code fanout verify} must find every item accounted for and the reruns within the bound. Fanout's topics are replicated three times with
 * {@code min.insync.replicas} 2, and when the broker command itself is killed its nodes remove the temporary cluster.
 */
class ChaosIT {

    /**
     * 2,000 items paced to about 15 s (half the 30 s {@code scripts/chaos} gives the fault): each kill still lands
     * while hundreds of items are to come (the last, at 60 %, with some 800 left, about 6 s of the batch).
     */
    private static final ChaosSession.Settings REDUCED = new ChaosSession.Settings(2_000, 2, 16,
            Duration.ofMillis(20), 0.5);

    @TempDir
    Path dir;

    @Test
    void everyItemIsAccountedForWhenABrokerNodeAnAggregatorAndAWorkerAreKilledDuringABatch() throws Exception {
        Path cluster;
        try (ChaosSession chaos = ChaosSession.start(FanoutProcesses.root(), dir, REDUCED)) {
            cluster = chaos.clusterDirectory();
            assertReplicated(chaos.bootstrapServers());
            ChaosSession.Verdict verdict = chaos.run("kill-each");
            assertThat(verdict.line()).as(verdict.line()).contains("chaos kill-each", "ALL-ITEMS-ACCOUNTED");
            assertThat(verdict.passed()).isTrue();
            assertThat(verdict.finishedAtInjection()).as("items finished when the worker was killed: it landed while"
                    + " the batch ran").isLessThan(REDUCED.items());
            long stopping = System.nanoTime();
            chaos.stopServices(); // while the cluster runs: a service whose cluster is gone waits out its timeouts
            System.out.printf("chaos: services stopped in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
            chaos.killBrokerCommand(); // the command alone: its nodes see their parent gone
            await("a killed broker command's nodes remove the temporary cluster").atMost(Duration.ofMinutes(1))
                    .until(() -> !Files.exists(cluster));
            System.out.printf("chaos: cluster removed %.1f s after the services stopped%n",
                    (System.nanoTime() - stopping) / 1e9);
        }
    }

    private static void assertReplicated(String servers) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Set.of("fanout.results", "fanout.jobs.normal"))
                    .allTopicNames().get();
            assertThat(topics.values()).allSatisfy(topic -> assertThat(topic.partitions())
                    .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3)));
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, "fanout.results");
            assertThat(admin.describeConfigs(Set.of(results)).all().get().get(results).get("min.insync.replicas")
                    .value()).isEqualTo("2");
        }
    }
}
