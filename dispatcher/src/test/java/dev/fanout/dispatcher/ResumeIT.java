package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Strategy;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class ResumeIT {

    private static final DispatchOptions RESUME = DispatchOptions.ofDefaults().withResume(true);

    private KafkaSettings settings;
    private String servers;

    @BeforeEach
    void setUp(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        settings = KafkaSettings.of(servers).withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(3, 2);
    }

    @Test
    void aBatchIdThatExistsIsRefusedWithoutResume() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("twice");
        try (Dispatcher dispatcher = dispatcher()) {
            dispatcher.publish(spec, TestItems.numbered(3, 3));

            assertThatThrownBy(() -> dispatcher.dispatch(spec, TestItems.numbered(3, 3)))
                    .isInstanceOf(DispatchRefusedException.class)
                    .hasMessageContaining("batch twice already exists (registered at ")
                    .hasMessageContaining(", sealed with 3 items); add --resume to publish only its items that have"
                            + " no result yet, or choose another batch id")
                    .extracting(error -> ((DispatchRefusedException) error).reason())
                    .isEqualTo(DispatchRefusedException.Reason.BATCH_EXISTS);
        }
        assertThat(jobIndexes()).hasSize(3);
    }

    @Test
    void aResumeAfterAKilledDispatcherPublishesOnlyTheItemsWithoutAResultAndSeals() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("killed");
        try (Dispatcher first = dispatcher()) {
            BatchHandle handle = first.dispatch(spec, TestItems.stallingAfter(30, TestItems.numbered(50, 5),
                    new CountDownLatch(1)));
            await().atMost(Duration.ofSeconds(30)).until(() -> handle.progress().acknowledged() == 30);
            first.close(); // killed mid-way: 30 published, not sealed
            assertThat(handle.published()).isCompletedExceptionally();
            assertThat(handle.progress().state()).isEqualTo(DispatchProgress.State.STOPPED);
        }
        try (FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            workers.results("killed", 0, 20, ItemStatus.SUCCEEDED); // items 20-29 are published, not yet run
        }

        DispatchResult resumed;
        try (Dispatcher second = dispatcher()) {
            resumed = second.publish(spec, TestItems.numbered(50, 5), RESUME);
        }

        assertThat(resumed.outcome()).isEqualTo(DispatchResult.Outcome.SEALED);
        assertThat(resumed.total()).isEqualTo(50);
        assertThat(resumed.alreadyDone()).isEqualTo(20);
        assertThat(resumed.published()).isEqualTo(30);
        Map<Long, Long> copies = jobIndexes().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(copies).hasSize(50);
        for (long index = 0; index < 50; index++) {
            assertThat(copies.get(index)).as("copies of item " + index).isEqualTo(index >= 20 && index < 30 ? 2 : 1);
        }
        assertThat(definitions()).extracting(BatchDefinition::sealed).containsExactly(false, true);
        assertThat(definitions().get(1).total()).isEqualTo(50);
    }

    @Test
    void aResumeOfADecidedBatchIsRefused() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("decided");
        try (Dispatcher dispatcher = dispatcher(); FakeWorkers workers = new FakeWorkers(settings, Lane.NORMAL)) {
            dispatcher.publish(spec, TestItems.numbered(2, 2));
            workers.decide("decided", BatchStatus.SUCCEEDED, Strategy.WAIT_ALL);

            assertThatThrownBy(() -> dispatcher.dispatch(spec, TestItems.numbered(2, 2), RESUME))
                    .isInstanceOf(DispatchRefusedException.class)
                    .hasMessage("batch decided is already decided (SUCCEEDED); there is nothing to resume");
        }
    }

    @Test
    void aResumeWithOtherInputOrAnotherLaneIsRefused() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("sealed");
        try (Dispatcher dispatcher = dispatcher()) {
            dispatcher.publish(spec, TestItems.numbered(4, 2));

            assertThatThrownBy(() -> dispatcher.dispatch(spec, TestItems.numbered(5, 2), RESUME))
                    .hasMessage("cannot resume batch sealed: it has 4 items and the input has 5; resume with the same"
                            + " input");
            assertThatThrownBy(() -> dispatcher.dispatch(spec.withPriority(Lane.HIGH), TestItems.numbered(4, 2),
                    RESUME))
                    .hasMessage("cannot resume batch sealed: it was dispatched to lane normal and the batch file says"
                            + " priority high; resume with the same priority");
        }
    }

    @Test
    void aStoppedDispatchSaysHowToGoOn() {
        try (Dispatcher dispatcher = dispatcher()) {
            BatchHandle handle = dispatcher.dispatch(BatchSpec.of("echo").withBatchId("stopped"),
                    TestItems.stallingAfter(2, TestItems.numbered(5, 1), new CountDownLatch(1)));
            await().atMost(Duration.ofSeconds(30)).until(() -> handle.progress().published() == 2);
            handle.stop();

            assertThatThrownBy(handle::awaitPublished).isInstanceOf(CancellationException.class)
                    .hasMessage("publishing batch stopped was stopped after 2 items; it is not sealed: dispatch it"
                            + " again with --resume to go on");
        }
    }

    private List<Long> jobIndexes() {
        try (TopicRecords records = new TopicRecords(servers)) {
            return records.readAll(settings.topics().jobs(Lane.NORMAL).name()).stream()
                    .map(record -> Envelopes.decode(record.value(), JobRecord.class).index()).toList();
        }
    }

    private List<BatchDefinition> definitions() {
        try (TopicRecords records = new TopicRecords(servers)) {
            return records.readAll(settings.topics().batches().name()).stream()
                    .map(record -> Envelopes.decode(record.value(), BatchDefinition.class)).toList();
        }
    }

    private Dispatcher dispatcher() {
        return new Dispatcher(settings, TestCatalogs.of("echo"), new MetricRegistry(), InstantSource.system());
    }
}
