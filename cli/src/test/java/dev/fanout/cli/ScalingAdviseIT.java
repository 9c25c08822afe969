package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneLag;
import dev.fanout.config.TopicInitializer;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.worker.OrderingMode;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code fanout scaling advise} in this JVM against the shared broker: what it reads, and what it needs, on a
 * consumer-group lane and on a share-group lane with a worker running.
 */
@ExtendWith(KafkaExtension.class)
class ScalingAdviseIT {

    @Test
    void itReadsTheLagPartitionsAndLatencyAndCapsTheAdviceAtThePartitions(TestKafka kafka) throws Exception {
        String prefix = "advise-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix);
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        String results = settings.topics().results().name();
        try (Admin admin = Admin.create(settings.clientProperties());
                KafkaProducer<String, String> producer = new KafkaProducer<>(settings.clientProperties(),
                        new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(lane, 2, (short) 1), new NewTopic(results, 1, (short) 1)))
                    .all().get();
            awaitLeaders(admin, List.of(new TopicPartition(lane, 0), new TopicPartition(lane, 1),
                    new TopicPartition(results, 0)));
            for (int i = 0; i < 600; i++) {
                producer.send(new ProducerRecord<>(lane, i % 2, "k" + i, "{}"));
            }
            // two items that ran (200 and 400 ms of slot time) and one cancelled before it ran; each send is awaited,
            // so a record the broker did not take fails here rather than as a wrong mean below
            for (String result : List.of("{\"attempts\":1,\"durationMs\":200}", "{\"attempts\":2,\"durationMs\":400}",
                    "{\"attempts\":0,\"durationMs\":0}")) {
                producer.send(new ProducerRecord<>(results, "b", result)).get();
            }
            producer.flush();
        }

        CommandOutput advise = CommandOutput.run("scaling", "advise", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", prefix, "--lanes", "normal", "--concurrency", "4", "--drain-time", "9s", "--json");

        assertThat(advise.exitCode()).as(advise.err()).isZero();
        JsonNode json = Envelopes.mapper().readTree(advise.lastLine());
        assertThat(json.path("lanes").get(0).path("lag").asLong()).isEqualTo(600);
        assertThat(json.path("lanes").get(0).path("partitions").asInt()).isEqualTo(2);
        assertThat(json.path("latencyMs").asLong()).as("the mean of the two that ran").isEqualTo(300);
        assertThat(json.path("slots").asDouble()).as("600 x 0.3 s / 9 s").isEqualTo(20.0);
        assertThat(json.path("needed").asInt()).isEqualTo(5);
        assertThat(json.path("replicas").asInt()).as("2 partitions").isEqualTo(2);
        assertThat(json.path("limitedByPartitions").asBoolean()).isTrue();
        assertThat(json.path("running").asInt()).as("no worker in the registry").isZero();

        CommandOutput noResults = CommandOutput.run("scaling", "advise", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "advise-none-" + UUID.randomUUID() + ".");
        assertThat(noResults.exitCode()).isEqualTo(2);
        assertThat(noResults.err()).contains("no results to measure the handler latency from", "--latency");
    }

    @Test
    void onAShareLaneItReadsTheShareGroupsBacklogAndAdvisesPastThePartitions(TestKafka kafka) throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("advise-share-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(1, 1);
        TopicInitializer.ensure(settings, settings.topics().all());
        String group = "advise-share-" + UUID.randomUUID().toString().substring(0, 8);
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        // one worker with 2 slots on the normal lane's share group, and items of 100 ms: it drains about 20 a second
        WorkerConfig config = WorkerConfig.of(settings).withGroupId(group).withWorkerId("advise-share-worker")
                .withLanes(List.of(Lane.NORMAL)).withMaxConcurrency(2).withOrdering(OrderingMode.UNORDERED)
                .withShareLanes(Set.of(Lane.NORMAL)).withHttp(ServiceEndpoints.DEFAULT_HOST, -1);
        int total = 2_000;
        try (Worker worker = Worker.start(config, HandlerCatalog.load(), new MetricRegistry(), InstantSource.system(),
                null); KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                        new StringSerializer(), new ByteArraySerializer())) {
            JsonNode simulate = Envelopes.mapper().createObjectNode().put("latencyMs", 100).put("distribution", "fixed");
            for (int index = 0; index < total; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "advise-share", Integer.toString(index), index,
                        (long) total, "simulate", simulate, Envelopes.mapper().createObjectNode(),
                        JobRecord.defaultTraceId("advise-share", index), 1, Instant.now());
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(lane, "k" + index, Envelopes.encode(job));
                FanoutHeaders.putIdentity(record.headers(), job);
                producer.send(record);
            }
            producer.flush();
            Map<Lane, LaneLag.LaneGroup> shareGroup = Map.of(Lane.NORMAL, new LaneLag.LaneGroup(
                    group + Worker.SHARE_GROUP_SUFFIX, true));
            // the share group has acknowledged some of the backlog, and the results topic has latencies to read
            await().atMost(Duration.ofMinutes(1)).until(() -> LaneLag.read(settings, shareGroup).get(0).lag() < total);

            String[] advise = {"scaling", "advise", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix",
                    settings.topicPrefix(), "--lanes", "normal", "--drain-time", "10s"};
            CommandOutput json = CommandOutput.run(concat(advise, "--json"));
            CommandOutput text = CommandOutput.run(advise);
            CommandOutput keda = CommandOutput.run(concat(advise, "--keda"));

            assertThat(json.exitCode()).as(json.err()).isZero();
            JsonNode report = Envelopes.mapper().readTree(commandOnly(json.out()));
            JsonNode normal = report.path("lanes").get(0);
            assertThat(normal.path("groupType").asText()).as("learnt from the worker registry").isEqualTo("share");
            assertThat(normal.path("group").asText()).isEqualTo(group + Worker.SHARE_GROUP_SUFFIX);
            assertThat(normal.path("partitions").asInt()).isEqualTo(1);
            long lag = normal.path("lag").asLong();
            assertThat(lag).as("the share group's backlog").isBetween(1L, total - 1L);
            assertThat(report.path("running").asInt()).isEqualTo(1);
            assertThat(report.path("concurrency").asInt()).as("the registry's worker").isEqualTo(2);
            long latency = report.path("latencyMs").asLong();
            assertThat(latency).as("items of 100 ms").isGreaterThanOrEqualTo(100);
            assertThat(report.has("cap")).as("a share lane has no partition cap").isFalse();
            assertThat(report.path("limitedByPartitions").asBoolean()).isFalse();
            int replicas = report.path("replicas").asInt();
            assertThat(replicas).as("Little's law: lag x latency / 10 s / 2 slots (latency in whole ms here)")
                    .isBetween((int) Math.ceil(lag * latency / 20_000.0), (int) Math.ceil(lag * (latency + 1) / 20_000.0))
                    .as("past the one partition").isGreaterThan(1);
            assertThat(text.out()).contains("limit: none from partitions").contains(group + Worker.SHARE_GROUP_SUFFIX)
                    .doesNotContain("partitions cap");
            assertThat(keda.exitCode()).as(keda.err()).isZero();
            List<JsonNode> objects = KedaManifestsTest.documents(commandOnly(keda.out()));
            assertThat(objects.get(0).path("spec").path("triggers").get(0).path("type").asText()).isEqualTo("prometheus");
            List<String> args = new java.util.ArrayList<>();
            objects.get(1).path("spec").path("template").path("spec").path("containers").get(0).path("args")
                    .forEach(arg -> args.add(arg.asText()));
            assertThat(FanoutArgs.parse(args).flags()).as("the worker group; the worker adds the share suffix")
                    .containsEntry("--lanes", "normal:share").containsEntry("--group", group)
                    .containsEntry("--ordering", "unordered");
            assertThat(worker.isRunning()).as("the backlog was read while the worker ran").isTrue();
        }
    }

    /** What the command printed, without the log lines of the worker running in this JVM meanwhile. */
    private static String commandOnly(String out) {
        return out.lines().filter(line -> !line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    private static String[] concat(String[] args, String more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
    }

    /**
     * Until the new partitions' leaders serve (a ListOffsets answer): producing before that meets NOT_LEADER, which
     * an idempotent producer can turn into out-of-order retries until its delivery timeout, and records are lost.
     */
    private static void awaitLeaders(Admin admin, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        await("the leaders of " + partitions + " serve").atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> admin.listOffsets(latest).all().get().size() == partitions.size());
    }
}
