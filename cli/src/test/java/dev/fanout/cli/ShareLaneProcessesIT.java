package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lane on a share group as operators run it: two {@code fanout worker --lanes normal:share} processes on a lane of
 * one partition, one killed with SIGKILL mid-batch; every item of {@code fanout dispatch} ends with a result.
 */
@ExtendWith(KafkaExtension.class)
class ShareLaneProcessesIT {

    private static final Duration START = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private FanoutProcesses fanout;
    private TopicRecords records;
    private String servers;
    private String prefix;

    @BeforeEach
    void start(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        prefix = "sharep-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        fanout = new FanoutProcesses(dir);
        records = new TopicRecords(servers);
    }

    @AfterEach
    void stop() {
        fanout.close();
        records.close();
    }

    @Test
    void twoShareLaneWorkersOnOnePartitionLoseNothingWhenOneIsKilledMidBatch() throws Exception {
        int total = 1_500;
        lockFor(prefix + "workers-share", Duration.ofSeconds(2));
        FanoutProcesses.Service victim = worker("victim");
        FanoutProcesses.Service survivor = worker("survivor");
        victim.awaitLine("owns \\d+ partitions", START);
        survivor.awaitLine("owns \\d+ partitions", START);

        FanoutProcesses.Finished dispatched = fanout.run(START, "dispatch", batch(total).toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--partitions", "1");
        assertThat(dispatched.exitCode()).as(dispatched.output()).isZero();
        await().atMost(START).until(() -> results().values().stream().filter("victim"::equals).count() >= 100);
        victim.kill(); // SIGKILL: its acquired records come back when their 2 s locks run out

        await().atMost(START).pollInterval(Duration.ofSeconds(1)).until(() -> results().size() == total);
        assertThat(results().values()).contains("victim", "survivor");
        FanoutProcesses.Finished listed = fanout.run(START, "workers", "--json", "--bootstrap-servers", servers,
                "--topic-prefix", prefix);
        JsonNode survivorEntry = null;
        for (JsonNode row : Envelopes.mapper().readTree(listed.lastJson()).path("workers")) {
            if (row.path("worker").path("workerId").asText().equals("survivor")) {
                survivorEntry = row.path("worker");
            }
        }
        assertThat(survivorEntry).as(listed.output()).isNotNull();
        assertThat(survivorEntry.path("shareLanes").toString()).isEqualTo("[\"normal\"]");
    }

    private FanoutProcesses.Service worker(String id) {
        return fanout.start(id, "worker", "--bootstrap-servers", servers, "--topic-prefix", prefix,
                "--partitions", "1", "--lanes", "normal:share", "--ordering", "unordered", "--concurrency", "10",
                "--worker-id", id, "--http-port", "-1");
    }

    /** Each item's first result, by index: the worker that recorded it. */
    private Map<Long, String> results() {
        Map<Long, String> first = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records.readAll(prefix + "results")) {
            ItemResult result = Envelopes.decode(record.value(), ItemResult.class);
            first.putIfAbsent(result.index(), result.workerId());
        }
        return first;
    }

    private void lockFor(String shareGroup, Duration lock) throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.of(servers).clientProperties())) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, shareGroup), List.of(
                    new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms",
                            Long.toString(lock.toMillis())), AlterConfigOp.OpType.SET)))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private Path batch(int items) throws Exception {
        ObjectNode batch = Envelopes.mapper().createObjectNode();
        batch.put("batchId", "share-" + prefix.substring(7, 15)).put("handler", "simulate");
        batch.putObject("settings").put("latencyMs", 40).put("distribution", "fixed");
        ArrayNode list = batch.putArray("items");
        for (int i = 0; i < items; i++) {
            list.addObject().put("n", i);
        }
        Path file = dir.resolve("share-batch.json");
        Files.writeString(file, Envelopes.mapper().writeValueAsString(batch));
        return file;
    }
}
