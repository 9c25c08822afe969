package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import dev.fanout.worker.internal.OffsetMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker killed, stopped, or joined by others mid-batch: no item is lost and reruns stay bounded. */
@ExtendWith(KafkaExtension.class)
class WorkerCrashIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private KafkaSettings settings;
    private String group;
    private TopicRecords records;
    private final List<Process> children = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();

    @BeforeEach
    void setUp(TestKafka kafka) throws Exception {
        settings = Jobs.isolated(kafka.bootstrapServers(), "crash", 4, 2);
        group = "g-" + UUID.randomUUID();
        records = new TopicRecords(kafka.bootstrapServers());
        TopicInitializer.ensure(settings, settings.topics().all());
        shortSession(group);
    }

    /**
     * The broker's shortest session (6 s) for the group, so a SIGKILLed member's partitions move to the others 4 s
     * sooner than under the default 10 s: the same hand-over, waited for less.
     */
    private void shortSession(String groupId) throws Exception {
        try (Admin admin = Admin.create(settings.clientProperties())) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, groupId), List.of(
                    new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", "6000"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process child : children) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        workers.forEach(Worker::close);
        records.close();
    }

    @Test
    void aWorkerKilledWithSigkillMidBatchLosesNothingAndRerunsAtMostWhatItHadInFlight() throws Exception {
        int total = 20_000;
        ChildOutput output = new ChildOutput(Files.createTempFile("victim", ".log"));
        Process child = launch("victim", 200, output);
        await().atMost(TIMEOUT).until(() -> output.contains("ASSIGNED 12"));
        publish(total, "simulate", 5);
        await().atMost(TIMEOUT).until(() -> resultIndices().size() >= 4_000);

        child.destroyForcibly(); // SIGKILL: no drain, no commit
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        workers.add(startWorker("survivor"));

        Map<Long, Integer> results = awaitAllResults(total);
        long reruns = results.values().stream().mapToLong(count -> count - 1).sum();
        // What a kill can make run twice: the records the victim had fetched and not finished (at most maxBuffered
        // plus one poll), and those it finished after its last commit (its rate times the commit interval, doubled
        // for the commit's own latency). Everything finished before that commit is remembered in its metadata.
        double victimRate = finishRate("victim");
        long bound = WorkerConfig.DEFAULT_MAX_BUFFERED + 500
                + Math.round(victimRate * WorkerConfig.DEFAULT_COMMIT_INTERVAL.toMillis() / 1000.0 * 2);
        assertThat(reruns).as("items run twice (victim ran at %.0f items/s)", victimRate)
                .isLessThanOrEqualTo(bound);
        awaitEverythingCommitted(total);
    }

    @Test
    void recordsFinishedAboveAStuckOneAreNotRunAgainByTheNextOwner() throws Exception {
        ChildOutput output = new ChildOutput(Files.createTempFile("stuck", ".log"));
        Process child = launch("stuck", 50, output);
        await().atMost(TIMEOUT).until(() -> output.contains("ASSIGNED 12"));
        publishOnePartition(20);
        await().atMost(TIMEOUT).until(() -> resultIndices().size() == 19);
        // the commit that records all 19 as finished, not an earlier one: a commit made before their outcomes were
        // durable carries fewer bits, and the next owner would rightly run the rest again
        await().atMost(TIMEOUT).until(() -> finishedInCommit() == 19);

        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        WorkerConfig config = WorkerConfig.of(settings).withGroupId(group).withWorkerId("survivor");
        Recording quick = new Recording() {
            {
                sleeps = false;
            }

            @Override
            public String name() {
                return "announce"; // the same jobs, run at once this time
            }
        };
        Worker survivor = Worker.start(config, Recording.catalogWith(quick), new MetricRegistry(),
                InstantSource.system(), null);
        workers.add(survivor);

        await().atMost(TIMEOUT).until(() -> resultIndices().size() == 20);
        assertThat(quick.runs).as("only the stuck item ran again").extracting(Recording.Run::index).containsExactly(0L);
        assertThat(survivor.skippedAsFinished()).isEqualTo(19);
        assertThat(resultCounts().get(0L)).isEqualTo(1);
    }

    @Test
    void workersJoiningAndLeavingThreeTimesLoseNothingAndLeaveNoPartitionStuck() throws Exception {
        int total = 20_000;
        Worker first = startWorker("w1");
        workers.add(first);
        publish(total, "simulate", 5);
        int[] checkpoints = {3_000, 8_000, 13_000};
        for (int round = 0; round < checkpoints.length; round++) {
            int checkpoint = checkpoints[round];
            await().atMost(TIMEOUT).until(() -> resultIndices().size() >= checkpoint);
            Worker joining = startWorker("w" + (round + 2));
            workers.add(joining);
            Worker leaving = workers.remove(0);
            leaving.close(); // revoke: drain, commit, release
            assertThat(leaving.failure()).isNull();
        }

        Map<Long, Integer> results = awaitAllResults(total);
        long reruns = results.values().stream().mapToLong(count -> count - 1).sum();
        assertThat(reruns).as("a clean leave drains and commits first").isLessThanOrEqualTo(3L * 500);
        awaitEverythingCommitted(total);
    }

    @Test
    void sigtermDrainsTheItemsInFlightAndCommitsBeforeExit() throws Exception {
        int total = 20;
        ChildOutput output = new ChildOutput(Files.createTempFile("drained", ".log"));
        Process child = launch("drained", 50, output);
        await().atMost(TIMEOUT).until(() -> output.contains("ASSIGNED 12"));
        publish(total, "announce", 1_500);
        await().atMost(TIMEOUT).until(() -> output.count("STARTED ") == total);
        assertThat(resultIndices()).as("nothing finished yet").isEmpty();

        child.destroy(); // SIGTERM
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(output.lines()).as("the child's output").anyMatch(line -> line.contains("CLOSED"));
        assertThat(resultIndices()).hasSize(total);
        assertThat(committed()).as("committed before exit").isEqualTo(total);
    }

    private Process launch(String workerId, int concurrency, ChildOutput output) throws Exception {
        Process child = ChildWorker.launch(settings.bootstrapServers(), settings.topicPrefix(), group, workerId,
                concurrency, output.file());
        children.add(child);
        return child;
    }

    private Worker startWorker(String workerId) {
        WorkerConfig config = WorkerConfig.of(settings).withGroupId(group).withWorkerId(workerId)
                .withMaxConcurrency(200);
        return Worker.start(config, HandlerCatalog.load(), new MetricRegistry(), InstantSource.system(), null);
    }

    private void publish(int count, String handler, long latencyMs) throws Exception {
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        ObjectNode jobSettings = JsonNodeFactory.instance.objectNode().put("latencyMs", latencyMs);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put("sleepMs", latencyMs);
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "crash", Long.toString(index), index,
                        (long) count, handler, handler.equals("simulate") ? jobSettings : null, payload,
                        JobRecord.defaultTraceId("crash", index), 1, Instant.now());
                ProducerRecord<String, byte[]> record = Jobs.record(topic, "key-" + (index % 1_000), job);
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Item 0 never finishes on the first owner (it sleeps a minute); items 1 to count-1 finish at once. */
    private void publishOnePartition(int count) throws Exception {
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put("sleepMs", index == 0 ? 60_000 : 0);
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "stuck", Long.toString(index), index,
                        (long) count, "announce", null, payload, JobRecord.defaultTraceId("stuck", index), 1,
                        Instant.now());
                ProducerRecord<String, byte[]> record = Jobs.record(topic, 0, "key-" + index, job);
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Items per second a worker finished, from the results it published. */
    private double finishRate(String workerId) {
        List<Instant> finished = records.readAll(settings.topics().results().name()).stream()
                .map(record -> Envelopes.decode(record.value(), ItemResult.class))
                .filter(result -> workerId.equals(result.workerId()))
                .map(ItemResult::finishedAt).sorted().toList();
        double seconds = Duration.between(finished.get(0), finished.get(finished.size() - 1)).toMillis() / 1000.0;
        return finished.size() / Math.max(seconds, 0.001);
    }

    /** How many records above the committed offset of lane normal's partition 0 its commit marks finished. */
    private int finishedInCommit() throws Exception {
        TopicPartition partition = new TopicPartition(settings.topics().jobs(Lane.NORMAL).name(), 0);
        try (Admin admin = Admin.create(settings.clientProperties())) {
            OffsetAndMetadata commit = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(partition);
            return commit == null ? 0 : OffsetMetadata.decode(commit.offset(), commit.metadata())
                    .map(metadata -> metadata.finished().cardinality()).orElse(0);
        }
    }

    private Set<Long> resultIndices() {
        return resultCounts().keySet();
    }

    private Map<Long, Integer> resultCounts() {
        Map<Long, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records.readAll(settings.topics().results().name())) {
            counts.merge(Envelopes.decode(record.value(), ItemResult.class).index(), 1, Integer::sum);
        }
        return counts;
    }

    private Map<Long, Integer> awaitAllResults(int total) {
        List<Map<Long, Integer>> seen = new ArrayList<>(List.of(Map.of()));
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            seen.set(0, resultCounts());
            return seen.get(0).size() == total;
        });
        assertThat(seen.get(0).keySet()).allMatch(index -> index >= 0 && index < total);
        return seen.get(0);
    }

    private void awaitEverythingCommitted(int total) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed()).isEqualTo(total));
    }

    /** The group's committed offsets on the normal lane, summed: equals the record count when nothing is stuck. */
    private long committed() throws Exception {
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        try (Admin admin = Admin.create(settings.clientProperties())) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(lane) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** What a child worker prints, in a file that is read on demand. */
    private record ChildOutput(Path file) {

        List<String> lines() {
            try {
                return Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        boolean contains(String text) {
            return lines().stream().anyMatch(line -> line.contains(text));
        }

        long count(String prefix) {
            return lines().stream().filter(line -> line.startsWith(prefix)).distinct().count();
        }
    }
}
