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
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.DispatchOptions;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.ItemSource;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dispatcher with real workers and a real aggregator: a batch's {@code maxConcurrency} holds across the group,
 * and a resume after a killed dispatcher counts every item exactly once.
 */
@ExtendWith(KafkaExtension.class)
class DispatchEndToEndIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger MOST_RUNNING = new AtomicInteger();
    /** Items 100 to 119 wait for it: they are running, not finished, when the first dispatcher is killed. */
    private static volatile CountDownLatch hold = new CountDownLatch(0);

    private final List<AutoCloseable> services = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private KafkaSettings settings;
    private HandlerCatalog catalog;

    @BeforeEach
    void start(TestKafka kafka) {
        settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("e2e-" + UUID.randomUUID().toString().substring(0, 8) + ".").withPartitions(4, 2);
        catalog = HandlerCatalog.of(List.of(new Counting()));
        RUNNING.set(0);
        MOST_RUNNING.set(0);
        Aggregator aggregator = Aggregator.start(AggregatorConfig.of(settings).withHttpPort(0), new MetricRegistry());
        services.add(aggregator);
        aggregator.awaitRunning(WAIT);
        for (int i = 1; i <= 2; i++) {
            Worker worker = Worker.start(WorkerConfig.of(settings).withWorkerId("e2e-worker-" + i)
                    .withMaxConcurrency(20), catalog, new MetricRegistry(), InstantSource.system(), null);
            workers.add(worker);
            services.add(worker);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable service : services.reversed()) {
            service.close();
        }
        services.clear();
        workers.clear();
        hold.countDown();
    }

    @Test
    void aBatchMaxConcurrencyOfFiveNeverHasMoreThanFiveItemsRunningAcrossTwoWorkers() throws Exception {
        BatchSpec spec = BatchSpec.of("counting").withBatchId("window").withMaxConcurrency(5)
                .withPolicy(BatchPolicy.of(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE));
        try (Dispatcher dispatcher = new Dispatcher(settings, catalog, new MetricRegistry(), InstantSource.system());
                BatchHandle handle = dispatcher.dispatch(spec, items(60, null))) {
            BatchResult result = handle.awaitResult(WAIT).orElseThrow();

            assertThat(result.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(result.succeeded()).isEqualTo(60);
        }
        assertThat(MOST_RUNNING.get()).as("items of the batch running at once across both workers")
                .isBetween(1, 5);
    }

    @Test
    void aResumeAfterAKilledDispatcherGivesExactlyOneCountedResultPerItem() throws Exception {
        hold = new CountDownLatch(1);
        BatchSpec spec = BatchSpec.of("counting").withBatchId("resumed");
        try (Dispatcher first = new Dispatcher(settings, catalog, new MetricRegistry(), InstantSource.system())) {
            BatchHandle handle = first.dispatch(spec, items(200, new CountDownLatch(1)));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(handle.progress().acknowledged()).as("acknowledged").isEqualTo(120);
                assertThat(handle.progress().finished()).as("finished").isGreaterThanOrEqualTo(50);
            });
        } // killed: 120 of 200 published and not sealed; items 100-119 (at least) are running, not finished

        BatchResult result;
        long alreadyDone;
        try (Dispatcher second = new Dispatcher(settings, catalog, new MetricRegistry(), InstantSource.system());
                BatchHandle handle = second.dispatch(spec, items(200, null),
                        DispatchOptions.ofDefaults().withResume(true))) {
            alreadyDone = handle.awaitPublished().alreadyDone();
            assertThat(alreadyDone).isBetween(50L, 100L);
            assertThat(handle.progress().published()).isEqualTo(200 - alreadyDone);
            hold.countDown();
            result = handle.awaitResult(WAIT).orElseThrow();
        }
        long ranTwice = 120 - alreadyDone; // published by both dispatchers
        await().atMost(WAIT).until(() -> workers.stream()
                .mapToLong(worker -> worker.metrics().succeeded().getCount()).sum() == 200 + ranTwice);

        assertThat(result.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(result.total()).isEqualTo(200);
        assertThat(result.succeeded()).as(ranTwice + " items ran twice and count once").isEqualTo(200);
        assertThat(result.failed()).isZero();
    }

    /**
     * Items {@code {"n": i}}; with {@code stall}, the source stops after 120 items until the reading thread is
     * interrupted (the dispatcher is killed).
     */
    private static ItemSource items(int count, CountDownLatch stall) {
        return new ItemSource() {
            private int next;

            @Override
            public DispatchItem next() {
                if (stall != null && next == 120) {
                    try {
                        stall.await(10, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("killed", e);
                    }
                }
                return next < count ? DispatchItem.of(JsonNodeFactory.instance.objectNode().put("n", next++)) : null;
            }

            @Override
            public OptionalLong size() {
                return stall == null ? OptionalLong.of(count) : OptionalLong.empty();
            }

            @Override
            public void close() {
                // generated
            }
        };
    }

    /** Counts the items running at once, each doing 20 ms of work. */
    private static final class Counting implements ItemHandlerProvider {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                int n = item.payload().get("n").asInt();
                if (n >= 100 && n < 120 && !hold.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("item " + n + " was held for 2 minutes");
                }
                MOST_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
                try {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the item's work
                    return item.payload();
                } finally {
                    RUNNING.decrementAndGet();
                }
            };
        }
    }
}
