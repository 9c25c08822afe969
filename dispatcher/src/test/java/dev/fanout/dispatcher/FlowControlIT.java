package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Strategy;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class FlowControlIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private KafkaSettings settings;
    private String servers;

    @BeforeEach
    void setUp(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        settings = KafkaSettings.of(servers).withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(3, 2);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aBatchMaxConcurrencyKeepsAtMostThatManyItemsPublishedWithoutAResult() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("window").withMaxConcurrency(5);
        try (Dispatcher dispatcher = dispatcher(); FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            BatchHandle handle = dispatcher.dispatch(spec, TestItems.numbered(40, 40));

            await().atMost(WAIT).until(() -> handle.progress().state() == DispatchProgress.State.WAITING);
            assertThat(handle.progress().published()).isEqualTo(5);
            assertThat(handle.progress().waitingFor())
                    .isEqualTo("maxConcurrency 5: 5 items of the batch are published and have no result yet");

            List<JobRecord> pending = new ArrayList<>();
            long answered = 0;
            long mostOutstanding = 0;
            while (answered < 40) {
                pending.addAll(workers.poll());
                long outstanding = handle.progress().published() - answered;
                mostOutstanding = Math.max(mostOutstanding, outstanding);
                assertThat(outstanding).as("items published without a result").isLessThanOrEqualTo(5);
                if (!pending.isEmpty()) {
                    workers.succeed(pending.remove(0)); // one result at a time: the window only slides by one
                    answered++;
                }
            }

            DispatchResult result = handle.awaitPublished();
            assertThat(result.total()).isEqualTo(40);
            assertThat(mostOutstanding).isEqualTo(5);
            await().atMost(WAIT).until(() -> handle.progress().succeeded() == 40);
        }
    }

    @Test
    void aFullLaneRefusesADispatchThatMustNotWaitBeforeAnythingIsPublished() {
        fillLane(12);
        BatchSpec spec = BatchSpec.of("echo").withBatchId("refused").withQueue(new QueueBounds(10L, null));
        try (Dispatcher dispatcher = dispatcher()) {
            assertThatThrownBy(() -> dispatcher.dispatch(spec, TestItems.numbered(3, 3),
                    DispatchOptions.ofDefaults().withWaitForCapacity(false)))
                    .isInstanceOf(DispatchRefusedException.class)
                    .hasMessage("lane " + lane() + " has a backlog of 12 records; queue.maxSize is 10; nothing of batch"
                            + " refused was published. Try again later, add workers, or drop --no-wait-for-capacity to"
                            + " wait for room");
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(records.readAll(settings.topics().batches().name())).isEmpty();
            assertThat(records.readAll(lane())).hasSize(12);
        }
    }

    @Test
    void aFullLaneHoldsTheDispatchWithAVisibleReasonUntilTheWorkersCatchUp() {
        fillLane(12);
        BatchSpec spec = BatchSpec.of("echo").withBatchId("held").withQueue(new QueueBounds(10L, null));
        try (Dispatcher dispatcher = dispatcher(); FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            BatchHandle handle = dispatcher.dispatch(spec, TestItems.numbered(5, 5));

            await().atMost(WAIT).until(() -> handle.progress().state() == DispatchProgress.State.WAITING);
            assertThat(handle.progress().waitingFor()).isEqualTo("capacity: lane " + lane() + " (worker group "
                    + settings.topicPrefix() + "workers) has a backlog of 12 records, queue.maxSize is 10");
            assertThat(handle.progress().published()).isZero();

            await().atMost(WAIT).until(() -> {
                workers.poll(); // the workers catch up and commit
                workers.commit();
                return handle.published().isDone();
            });
            assertThat(handle.awaitPublished().total()).isEqualTo(5);
        }
    }

    @Test
    void itemsWithTheSameKeyArePublishedInOrderToOnePartition() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("fifo").withKeyField("/k");
        try (Dispatcher dispatcher = dispatcher()) {
            dispatcher.publish(spec, TestItems.numbered(300, 7));
        }

        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, List<Long>> indexesOfKey = new HashMap<>();
        try (TopicRecords records = new TopicRecords(servers)) {
            List<ConsumerRecord<String, byte[]>> jobs = new ArrayList<>(records.readAll(lane()));
            jobs.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            for (ConsumerRecord<String, byte[]> record : jobs) {
                assertThat(partitionOfKey.computeIfAbsent(record.key(), key -> record.partition()))
                        .as("partition of key " + record.key()).isEqualTo(record.partition());
                indexesOfKey.computeIfAbsent(record.key(), key -> new ArrayList<>())
                        .add(Envelopes.decode(record.value(), JobRecord.class).index());
            }
        }
        assertThat(indexesOfKey).hasSize(7);
        assertThat(indexesOfKey.values().stream().mapToInt(List::size).sum()).isEqualTo(300);
        indexesOfKey.forEach((key, indexes) -> assertThat(indexes).as("indexes of key " + key).isSorted());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void resultsWithAndWithoutStatusHeadersSlideTheWindowAndAreCountedOncePerItem() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("headers").withMaxConcurrency(10);
        try (Dispatcher dispatcher = dispatcher(); FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            BatchHandle handle = dispatcher.dispatch(spec, TestItems.numbered(20, 20));
            await().atMost(WAIT).until(() -> handle.progress().state() == DispatchProgress.State.WAITING);
            assertThat(handle.progress().published()).isEqualTo(10);

            for (long index = 0; index < 6; index++) { // this version's workers: counted from the headers
                workers.resultWithHeaders("headers", index, index < 4 ? ItemStatus.SUCCEEDED : ItemStatus.FAILED);
            }
            workers.results("headers", 6, 10, ItemStatus.SUCCEEDED); // an older worker's: no status header
            workers.resultWithHeaders("headers", 0, ItemStatus.FAILED); // a redelivered item's second result
            workers.results("headers", 6, 7, ItemStatus.FAILED); // and an older worker's second one

            await().atMost(WAIT).until(() -> handle.progress().published() == 20);
            await().atMost(WAIT).until(() -> handle.progress().succeeded() + handle.progress().failed() == 10);
            assertThat(handle.progress().succeeded()).isEqualTo(8);
            assertThat(handle.progress().failed()).isEqualTo(2);

            for (long index = 10; index < 20; index++) {
                workers.resultWithHeaders("headers", index, ItemStatus.SUCCEEDED);
            }
            await().atMost(WAIT).until(() -> handle.progress().succeeded() == 18);
            assertThat(handle.progress().failed()).isEqualTo(2);
            assertThat(handle.awaitPublished().total()).isEqualTo(20);
        }
    }

    @Test
    void anEarlyDecisionRecordsTheUnpublishedRestCancelledAndSealsTheBatchSoItSettles() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("early").withMaxConcurrency(2);
        try (Dispatcher dispatcher = dispatcher(); FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            BatchHandle handle = dispatcher.dispatch(spec, TestItems.numbered(100, 1));
            await().atMost(WAIT).until(() -> handle.progress().state() == DispatchProgress.State.WAITING);

            workers.decide("early", BatchStatus.FAILED, Strategy.FAIL_FAST);

            DispatchResult result = handle.awaitPublished();
            assertThat(result.outcome()).isEqualTo(DispatchResult.Outcome.DECIDED_EARLY);
            assertThat(result.published()).isEqualTo(2);
            assertThat(result.total()).isEqualTo(100);
            assertThat(handle.result()).isCompletedWithValueMatching(decision -> decision.status() == BatchStatus.FAILED);
            assertThat(handle.progress().state()).isEqualTo(DispatchProgress.State.DECIDED);
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(records.readAll(lane())).as("nothing published after the decision").hasSize(2);
            List<BatchDefinition> definitions = records.readAll(settings.topics().batches().name()).stream()
                    .map(record -> Envelopes.decode(record.value(), BatchDefinition.class)).toList();
            assertThat(definitions.get(definitions.size() - 1)).satisfies(sealed -> {
                assertThat(sealed.sealed()).isTrue();
                assertThat(sealed.total()).isEqualTo(100L);
            });
            List<ItemResult> cancelled = records.readAll(settings.topics().results().name()).stream()
                    .map(record -> Envelopes.decode(record.value(), ItemResult.class))
                    .filter(item -> item.workerId().equals("dispatcher")).toList();
            assertThat(cancelled).hasSize(98).allSatisfy(item -> {
                assertThat(item.status()).isEqualTo(ItemStatus.CANCELLED);
                assertThat(item.reason()).isEqualTo(FailureReason.CANCELLED);
                assertThat(item.index()).isBetween(2L, 99L);
            });
            assertThat(cancelled).extracting(ItemResult::index).doesNotHaveDuplicates();
        }
    }

    @Test
    void aQueueTimeoutGivesEveryPublishedJobItsExpiry() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("expiring")
                .withQueue(new QueueBounds(null, Duration.ofMinutes(5)));
        try (Dispatcher dispatcher = dispatcher()) {
            dispatcher.publish(spec, TestItems.numbered(4, 4));
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(records.readAll(lane())).hasSize(4).allSatisfy(record -> {
                JobRecord job = Envelopes.decode(record.value(), JobRecord.class);
                assertThat(job.expiresAt()).isEqualTo(job.createdAt().plus(Duration.ofMinutes(5)));
            });
        }
    }

    private void fillLane(int records) {
        TopicInitializer.ensure(settings, settings.topics().all());
        try (TopicRecords writer = new TopicRecords(servers)) {
            for (int i = 0; i < records; i++) {
                writer.send(new ProducerRecord<>(lane(), "other-" + i, new byte[] {'{', '}'}));
            }
        }
    }

    private String lane() {
        return settings.topics().jobs(Lane.NORMAL).name();
    }

    private Dispatcher dispatcher() {
        return new Dispatcher(settings, TestCatalogs.of("echo"), new MetricRegistry(), InstantSource.system());
    }
}
