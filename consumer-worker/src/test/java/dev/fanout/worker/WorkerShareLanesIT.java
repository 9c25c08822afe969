package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import dev.fanout.handler.RetriableException;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import dev.fanout.worker.internal.ShareGroupSetup;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lanes on a share group (KIP-932): several workers share one partition, each item is counted once, a killed worker's
 * acquired records come back after their lock, and retries and dead letters end as on a consumer-group lane.
 */
@ExtendWith(KafkaExtension.class)
class WorkerShareLanesIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private String bootstrap;
    private TopicRecords records;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void setUp(TestKafka kafka) {
        bootstrap = kafka.bootstrapServers();
        records = new TopicRecords(bootstrap);
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
    void threeWorkersOnOnePartitionEachRunPartOfTheBatchAndEveryItemIsRecordedOnce() throws Exception {
        KafkaSettings settings = topics("share3");
        String group = "g-" + UUID.randomUUID();
        for (String id : List.of("w1", "w2", "w3")) {
            workers.add(start(settings, group, id, true, 16, HandlerCatalog.load(), Map.of()));
        }
        await().atMost(TIMEOUT).until(() -> workers.stream().allMatch(w -> w.readiness().passing()));
        int total = 10_000;
        publish(settings, total, index -> simulate(5));

        Map<Long, List<ItemResult>> results = awaitResults(settings, total);

        assertThat(results.values()).as("one result per item").allSatisfy(each -> assertThat(each).hasSize(1));
        Map<String, Long> perWorker = results.values().stream().map(each -> each.get(0).workerId())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(perWorker).as("items run by each worker").containsOnlyKeys("w1", "w2", "w3")
                .allSatisfy((worker, count) -> assertThat(count).isPositive());
        List<WorkerStatus> registry = WorkerRegistry.read(settings, InstantSource.system(), Duration.ofMinutes(1));
        assertThat(registry).filteredOn(status -> status.workerId().equals("w1")).first()
                .satisfies(status -> assertThat(status.shareLanes()).containsExactly(Lane.NORMAL));
    }

    @Test
    void theRecordsAWorkerKilledWithSigkillHadAcquiredComeBackAfterTheirLockAndNothingIsLost() throws Exception {
        KafkaSettings settings = topics("sharekill");
        String group = "g-" + UUID.randomUUID();
        lockFor(group, Duration.ofSeconds(2));
        Path log = Files.createTempFile("share-victim", ".log");
        Process victim = ChildWorker.launch(bootstrap, settings.topicPrefix(), group, "victim", 20, log, true);
        children.add(victim);
        await().atMost(TIMEOUT).until(() -> Files.readString(log, StandardCharsets.UTF_8).contains("ASSIGNED"));
        int total = 3_000;
        // 150 ms items: the two workers take some 11 s for the batch, so the kill lands mid-batch even on a busy
        // machine (with 50 ms items the batch could end before the test saw 500 results and killed the victim)
        publish(settings, total, index -> simulate(150));
        await().atMost(TIMEOUT).until(() -> resultsNow(settings).values().stream()
                .anyMatch(each -> each.get(0).workerId().equals("victim")));
        workers.add(start(settings, group, "survivor", true, 20, HandlerCatalog.load(), Map.of()));
        await().atMost(TIMEOUT).until(() -> resultsNow(settings).size() >= 500);

        victim.destroyForcibly(); // SIGKILL: nothing acknowledged, nothing released
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resultsNow(settings).size()).as("results when the victim was killed: mid-batch").isLessThan(total);

        Map<Long, List<ItemResult>> results = awaitResults(settings, total);
        assertThat(results.values()).anyMatch(each -> each.get(0).workerId().equals("victim"));
        assertThat(results.values()).as("items the victim held, run again once their lock ran out")
                .anyMatch(each -> each.stream().anyMatch(r -> r.workerId().equals("survivor") && r.attempts() == 2));
    }

    @Test
    void itemsRunningLongerThanTheirLockKeepItByRenewalAndRunOnce() throws Exception {
        KafkaSettings settings = topics("sharerenew");
        String group = "g-" + UUID.randomUUID();
        lockFor(group, Duration.ofSeconds(2));
        Map<String, HandlerSpec> announce = Map.of("announce", HandlerSpec.of("announce"));
        for (String id : List.of("r1", "r2")) {
            workers.add(start(settings, group, id, true, 4, HandlerCatalog.of(List.of(new ChildWorker.Announce())),
                    announce));
        }
        await().atMost(TIMEOUT).until(() -> workers.stream().allMatch(w -> w.readiness().passing()));
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        for (int index = 0; index < 4; index++) {
            records.send(Jobs.record(lane, 0, "k" + index, job(index, 4, "announce",
                    JsonNodeFactory.instance.objectNode().put("sleepMs", 5_000))));
        }

        awaitResults(settings, 4);
        // an item whose lock ran out would be acquired again, by either worker, and run a second time
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> resultsNow(settings).values().stream().allMatch(each -> each.size() == 1));
        assertThat(resultsNow(settings).values()).allSatisfy(each -> assertThat(each.get(0).attempts()).isEqualTo(1));
    }

    @Test
    void retriesAndDeadLettersOnAShareLaneEndAsOnAConsumerGroupLane() throws Exception {
        Map<Long, String> onConsumerGroup = failurePaths(false);
        Map<Long, String> onShareGroup = failurePaths(true);

        assertThat(onShareGroup).isEqualTo(onConsumerGroup);
        assertThat(onShareGroup).containsEntry(1L, "SUCCEEDED null attempts=2 deadLettered=false")
                .containsEntry(2L, "FAILED RETRIES_EXHAUSTED attempts=3 deadLettered=true dlt=RETRIES_EXHAUSTED/3")
                .containsEntry(4L, "FAILED POISON attempts=1 deadLettered=true dlt=POISON/1");
    }

    /**
     * Runs five items on one lane: a success, a success at the second attempt, a retriable failure past three
     * attempts, a permanent failure, and a poison record; returns how each ended, with its dead letter.
     */
    private Map<Long, String> failurePaths(boolean share) throws Exception {
        KafkaSettings settings = topics(share ? "sharefail" : "groupfail");
        RetryPolicy retry = new RetryPolicy(Duration.ofMillis(50), 1.0, Duration.ofMillis(50), 3, null);
        Worker worker = start(settings, "g-" + UUID.randomUUID(), share ? "share" : "group", share, 4,
                HandlerCatalog.of(List.of(new Flaky())),
                Map.of("flaky", new HandlerSpec("flaky", null, null, null, null, null, retry)));
        workers.add(worker);
        await().atMost(TIMEOUT).until(() -> worker.readiness().passing());
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        ObjectNode[] payloads = {flaky(1, false), flaky(2, false), flaky(9, false), flaky(9, true)};
        for (int index = 0; index < payloads.length; index++) {
            records.send(Jobs.record(lane, 0, "k" + index, job(index, payloads.length + 1, "flaky", payloads[index])));
        }
        ProducerRecord<String, byte[]> poison = new ProducerRecord<>(lane, 0, "k4",
                "{not json".getBytes(StandardCharsets.UTF_8));
        FanoutHeaders.putIdentity(poison.headers(), job(4, payloads.length + 1, "flaky", flaky(1, false)));
        records.send(poison);

        Map<Long, List<ItemResult>> results = awaitResults(settings, payloads.length + 1);
        List<ConsumerRecord<String, byte[]>> deadLetters = records.awaitAtLeast(settings.topics().deadLetters().name(),
                3, TIMEOUT);
        Map<Long, String> letters = new HashMap<>();
        for (ConsumerRecord<String, byte[]> letter : deadLetters) {
            letters.put(Long.parseLong(FanoutHeaders.text(letter.headers(), FanoutHeaders.ITEM_INDEX).orElseThrow()),
                    FanoutHeaders.text(letter.headers(), FanoutHeaders.DLT_REASON).orElse("?") + "/"
                            + FanoutHeaders.text(letter.headers(), FanoutHeaders.DLT_ATTEMPTS).orElse("?"));
        }
        if (share) {
            assertThat(worker.metrics().retriesReleased().getCount()).as("retries released to the broker")
                    .isPositive();
        }
        Map<Long, String> ended = new TreeMap<>();
        results.forEach((index, each) -> {
            ItemResult first = each.get(0);
            ended.put(index, first.status() + " " + first.reason() + " attempts=" + first.attempts()
                    + " deadLettered=" + first.deadLettered()
                    + (letters.containsKey(index) ? " dlt=" + letters.get(index) : ""));
        });
        return ended;
    }

    private Worker start(KafkaSettings settings, String group, String id, boolean share, int concurrency,
            HandlerCatalog catalog, Map<String, HandlerSpec> handlers) {
        WorkerConfig config = WorkerConfig.of(settings).withGroupId(group).withWorkerId(id)
                .withMaxConcurrency(concurrency).withOrdering(OrderingMode.UNORDERED)
                .withDrainTimeout(Duration.ofSeconds(10)).withHandlers(handlers, Map.of(), Map.of());
        if (share) {
            config = config.withShareLanes(Set.of(Lane.NORMAL));
        }
        return Worker.start(config, catalog, new MetricRegistry(), InstantSource.system(), null);
    }

    /** Isolated topics with one jobs partition. */
    private KafkaSettings topics(String name) {
        KafkaSettings settings = Jobs.isolated(bootstrap, name, 1, 2);
        TopicInitializer.ensure(settings, settings.topics().all());
        return settings;
    }

    /** A short acquisition lock for the group's share group, so a killed worker's records come back soon. */
    private void lockFor(String group, Duration lock) throws Exception {
        ConfigResource shareGroup = new ConfigResource(ConfigResource.Type.GROUP, group + "-share");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.incrementalAlterConfigs(Map.of(shareGroup, List.of(
                    new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms",
                            Long.toString(lock.toMillis())), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry(ShareGroupSetup.AUTO_OFFSET_RESET, "earliest"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void publish(KafkaSettings settings, int count, Function<Long, JsonNode> jobSettings) throws Exception {
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.clientProperties(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long index = 0; index < count; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "share", Long.toString(index), index,
                        (long) count, "simulate", jobSettings.apply(index), JsonNodeFactory.instance.objectNode(),
                        JobRecord.defaultTraceId("share", index), 1, Instant.now());
                producer.send(Jobs.record(lane, 0, "key-" + index, job));
            }
            producer.flush();
        }
    }

    private static JobRecord job(long index, long total, String handler, JsonNode payload) {
        return new JobRecord(Envelopes.SCHEMA_VERSION, "paths", Long.toString(index), index, total, handler, null,
                payload, JobRecord.defaultTraceId("paths", index), 1, Instant.now());
    }

    private static ObjectNode simulate(long latencyMs) {
        return JsonNodeFactory.instance.objectNode().put("latencyMs", latencyMs);
    }

    private static ObjectNode flaky(int succeedsAt, boolean permanent) {
        return JsonNodeFactory.instance.objectNode().put("succeedsAt", succeedsAt).put("permanent", permanent);
    }

    private Map<Long, List<ItemResult>> resultsNow(KafkaSettings settings) {
        Map<Long, List<ItemResult>> byIndex = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records.readAll(settings.topics().results().name())) {
            ItemResult result = Envelopes.decode(record.value(), ItemResult.class);
            byIndex.computeIfAbsent(result.index(), index -> new ArrayList<>()).add(result);
        }
        return byIndex;
    }

    private Map<Long, List<ItemResult>> awaitResults(KafkaSettings settings, int total) {
        List<Map<Long, List<ItemResult>>> seen = new ArrayList<>(List.of(Map.of()));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            seen.set(0, resultsNow(settings));
            return seen.get(0).size() == total;
        });
        assertThat(new TreeSet<>(seen.get(0).keySet())).first().isEqualTo(0L);
        assertThat(new TreeSet<>(seen.get(0).keySet())).last().isEqualTo((long) total - 1);
        return seen.get(0);
    }

    /**
     * {@code flaky}: fails retriably until the attempt the payload's {@code succeedsAt} names (by the attempt number
     * the worker passes, so the same on any worker), or permanently when {@code permanent}.
     */
    private static final class Flaky implements ItemHandlerProvider {
        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                if (item.payload().path("permanent").asBoolean()) {
                    throw new PermanentException("permanently broken");
                }
                if (item.context().attempt() < item.payload().path("succeedsAt").asInt()) {
                    throw new RetriableException("not yet, attempt " + item.context().attempt());
                }
                return JsonNodeFactory.instance.objectNode().put("attempt", item.context().attempt());
            };
        }
    }
}
