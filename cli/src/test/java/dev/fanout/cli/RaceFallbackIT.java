package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchHandle;
import dev.fanout.dispatcher.BatchResultReader;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.InlineItems;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code race} strategy as "primary and backup, first success wins": a batch of two items with different
 * handlers. The primary answers once the backup has started, and the backup is held until the batch is decided, so
 * nothing is left to timing: the loser is running at the decision (so the cancel signal cannot stop it), finishes, is
 * counted in the settled counts, and its output is not the batch's.
 */
@ExtendWith(KafkaExtension.class)
class RaceFallbackIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final BatchPolicy RACE = BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE);
    /** Released by the test once the batch is decided: until then the backup handler waits. */
    private static volatile CountDownLatch decided = new CountDownLatch(1);
    private static final AtomicInteger BACKUP_RUNS = new AtomicInteger();
    /** Counted down when the backup starts: the primary answers only then, so the backup is running at the decision. */
    private static volatile CountDownLatch backupStarted = new CountDownLatch(1);

    private KafkaSettings settings;
    private HandlerCatalog catalog;
    private Aggregator aggregator;
    private Worker worker;

    @BeforeEach
    void start(TestKafka kafka) {
        settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("race-" + UUID.randomUUID().toString().substring(0, 8) + ".").withPartitions(2, 2);
        catalog = HandlerCatalog.of(List.of(new Primary(), new Backup()));
        decided = new CountDownLatch(1);
        backupStarted = new CountDownLatch(1);
        BACKUP_RUNS.set(0);
        aggregator = Aggregator.start(AggregatorConfig.of(settings).withHttpPort(-1), new MetricRegistry());
        aggregator.awaitRunning(WAIT);
        worker = Worker.start(WorkerConfig.of(settings).withWorkerId("race-worker").withMaxConcurrency(4), catalog,
                new MetricRegistry(), InstantSource.system(), null);
    }

    @AfterEach
    void stop() {
        decided.countDown();
        backupStarted.countDown();
        worker.close();
        aggregator.close();
    }

    @Test
    void thePrimarysSuccessDecidesTheBatchWithItsOutputAndTheBackupFinishingLaterChangesNeither() throws Exception {
        BatchResult first = race("race-primary-wins", false);

        assertThat(first.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(first.output().path("from").asText()).isEqualTo("primary");
        assertThat(first.reason()).isEqualTo("race: item 0 succeeded first");
        assertThat(first.settled()).as("the backup was still running").isFalse();
        decided.countDown(); // the backup, running since before the decision, now finishes

        BatchResult settled = awaitSettled("race-primary-wins");
        assertThat(BACKUP_RUNS.get()).isEqualTo(1);
        assertThat(settled.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(settled.succeeded()).as("the loser finished and is counted").isEqualTo(2);
        assertThat(settled.output().path("from").asText()).as("the winner's output stays").isEqualTo("primary");
    }

    @Test
    void whenThePrimaryFailsTheBackupsSuccessIsTheBatchOutput() throws Exception {
        decided.countDown(); // nothing to wait for: the backup is the only one that can succeed
        BatchResult result = race("race-backup-wins", true);

        assertThat(result.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(result.output().path("from").asText()).isEqualTo("backup");
        assertThat(result.reason()).isEqualTo("race: item 1 succeeded first");
        BatchResult settled = awaitSettled("race-backup-wins");
        assertThat(settled.succeeded()).isEqualTo(1);
        assertThat(settled.failed()).as("the primary's failure").isEqualTo(1);
        assertThat(settled.output().path("from").asText()).isEqualTo("backup");
    }

    /** Dispatches {@code [primary, backup]} as a race and returns its first decision. */
    private BatchResult race(String batchId, boolean primaryFails) throws InterruptedException {
        JsonNode items = JsonNodeFactory.instance.arrayNode()
                .add(JsonNodeFactory.instance.objectNode().put("id", "primary").put("handler", "primary")
                        .set("payload", JsonNodeFactory.instance.objectNode().put("fail", primaryFails)))
                .add(JsonNodeFactory.instance.objectNode().put("id", "backup").put("handler", "backup")
                        .set("payload", JsonNodeFactory.instance.objectNode()));
        BatchSpec spec = BatchSpec.of("primary").withBatchId(batchId).withPolicy(RACE);
        try (Dispatcher dispatcher = new Dispatcher(settings, catalog, new MetricRegistry(), InstantSource.system());
                BatchHandle handle = dispatcher.dispatch(spec, new InlineItems(items))) {
            return handle.awaitResult(WAIT).orElseThrow();
        }
    }

    private BatchResult awaitSettled(String batchId) {
        return await().atMost(WAIT).until(() -> BatchResultReader.latest(settings, batchId).orElse(null),
                result -> result != null && result.settled());
    }

    /**
     * The primary: fails (permanently) when its payload says {@code fail}; else answers as soon as the backup is
     * running.
     */
    private static final class Primary implements ItemHandlerProvider {
        @Override
        public String name() {
            return "primary";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                if (item.payload().path("fail").asBoolean()) {
                    throw new PermanentException("the primary is down");
                }
                if (!backupStarted.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the backup never started");
                }
                return JsonNodeFactory.instance.objectNode().put("from", "primary");
            };
        }
    }

    /** The backup: slower, held until the test has seen the batch decided. */
    private static final class Backup implements ItemHandlerProvider {
        @Override
        public String name() {
            return "backup";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                BACKUP_RUNS.incrementAndGet();
                backupStarted.countDown();
                if (!decided.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the backup was held for 2 minutes");
                }
                return JsonNodeFactory.instance.objectNode().put("from", "backup");
            };
        }
    }
}
