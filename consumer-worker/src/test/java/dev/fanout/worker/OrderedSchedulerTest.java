package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.worker.internal.OrderedScheduler;
import dev.fanout.worker.internal.TrackedRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrderedSchedulerTest {

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    @Test
    void itemsWithTheSameKeyNeverOverlapAndRunInOffsetOrder() {
        List<Long> order = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        OrderedScheduler scheduler = new OrderedScheduler(OrderingMode.KEY, executor, tracked -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            awaitQuietly(release);
            order.add(tracked.record().offset());
            running.decrementAndGet();
        });
        for (long offset = 0; offset < 20; offset++) {
            scheduler.submit(record(0, offset, "same-key"));
        }
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 20);
        assertThat(order).isSorted();
        assertThat(maxRunning).hasValue(1);
        assertThat(scheduler.activeKeys()).isZero();
    }

    @Test
    void itemsWithDifferentKeysRunInParallel() {
        CountDownLatch allStarted = new CountDownLatch(5);
        CountDownLatch release = new CountDownLatch(1);
        OrderedScheduler scheduler = new OrderedScheduler(OrderingMode.KEY, executor, tracked -> {
            allStarted.countDown();
            awaitQuietly(release);
        });
        for (int key = 0; key < 5; key++) {
            scheduler.submit(record(0, key, "key-" + key));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> allStarted.getCount() == 0);
        release.countDown();
    }

    @ParameterizedTest
    @EnumSource(value = OrderingMode.class, names = {"PARTITION", "UNORDERED"})
    void partitionModeSerialisesAPartitionWhileUnorderedDoesNot(OrderingMode mode) {
        Map<Integer, AtomicInteger> runningPerPartition = new ConcurrentHashMap<>();
        AtomicInteger maxOnOnePartition = new AtomicInteger();
        CountDownLatch threeStarted = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();
        OrderedScheduler scheduler = new OrderedScheduler(mode, executor, tracked -> {
            AtomicInteger running = runningPerPartition.computeIfAbsent(tracked.record().partition(),
                    p -> new AtomicInteger());
            maxOnOnePartition.accumulateAndGet(running.incrementAndGet(), Math::max);
            threeStarted.countDown();
            awaitQuietly(release);
            running.decrementAndGet();
            done.incrementAndGet();
        });
        for (long offset = 0; offset < 3; offset++) {
            scheduler.submit(record(0, offset, "key-" + offset));
        }
        if (mode == OrderingMode.UNORDERED) {
            await().atMost(Duration.ofSeconds(10)).until(() -> threeStarted.getCount() == 0);
        }
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 3);
        assertThat(maxOnOnePartition.get()).isEqualTo(mode == OrderingMode.PARTITION ? 1 : 3);
    }

    private static TrackedRecord record(int partition, long offset, String key) {
        return new TrackedRecord(new ConsumerRecord<>("jobs", partition, offset, key, new byte[0]), 1, () -> { },
                error -> { });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
