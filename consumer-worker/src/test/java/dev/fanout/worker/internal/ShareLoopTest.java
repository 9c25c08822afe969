package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The share loop on Kafka's {@link MockShareConsumer}, with the test completing each record's outcome by hand: which
 * acknowledgement a record gets, and when. The mock keeps no locks and redelivers nothing, so the test plays the
 * broker where it matters: it hands a renewed record back as the broker would.
 */
class ShareLoopTest {

    private static final String TOPIC = Topics.ofDefaults().jobs(Lane.NORMAL).name();
    private static final int DELIVERY_LIMIT = 5;

    private final RecordingShareConsumer consumer = new RecordingShareConsumer();
    private final Map<Long, TrackedRecord> submitted = new ConcurrentHashMap<>();
    private final List<Long> submissions = new CopyOnWriteArrayList<>();
    private final RetryWaits waits = new RetryWaits(InstantSource.system());
    private ShareLoop loop;

    @AfterEach
    void stopLoop() {
        if (loop != null && !loop.stopped().isDone()) {
            loop.stop();
            submitted.values().forEach(record -> record.complete(Disposition.RECORDED, null));
            loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    @ParameterizedTest
    @EnumSource(Disposition.class)
    void aRecordIsAcknowledgedOnlyOnceWhatEndsItIsDurableAndByWhatThatWas(Disposition disposition) {
        add(0, 1);
        add(1, 1);
        start(Duration.ofSeconds(30));
        await().until(() -> submitted.size() == 2);
        assertThat(consumer.acks()).as("nothing is durable yet").isEmpty();

        submitted.get(1L).complete(disposition, null);

        AcknowledgeType expected = switch (disposition) {
            case RECORDED -> AcknowledgeType.ACCEPT; // the result (or the next step) is durable
            case DEAD_LETTERED -> AcknowledgeType.REJECT; // the dead letter (and its result) are durable
            case REDELIVER -> AcknowledgeType.RELEASE; // a short retry: the broker's redelivery is the next attempt
        };
        await().until(() -> consumer.commits() > 0);
        assertThat(consumer.acks()).containsExactly(Map.entry(1L, expected));
        assertThat(consumer.acks()).as("offset 0 still runs").extracting(Map.Entry::getKey).doesNotContain(0L);
    }

    @Test
    void aPublishFailureStopsTheLoopAndLeavesItsRecordToTheBroker() {
        add(0, 1);
        start(Duration.ofSeconds(30));
        await().until(() -> submitted.containsKey(0L));

        IllegalStateException failure = new IllegalStateException("results topic unreachable");
        submitted.get(0L).complete(null, failure);

        loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(loop.failure()).isSameAs(failure);
        assertThat(consumer.acks()).as("closing releases it to the other workers").isEmpty();
        assertThat(consumer.isClosed()).isTrue();
    }

    @Test
    void theNextPollWaitsUntilEveryRecordOfTheLastPollIsAcknowledged() {
        add(0, 1);
        add(1, 1);
        start(Duration.ofSeconds(30));
        await().until(() -> submitted.size() == 2);
        add(2, 1);

        submitted.get(0L).complete(Disposition.RECORDED, null);
        await().until(() -> consumer.acks().size() == 1);
        assertThat(submitted).as("explicit mode: offset 1 of the last poll is not acknowledged yet")
                .doesNotContainKey(2L);

        submitted.get(1L).complete(Disposition.RECORDED, null);
        await().until(() -> submitted.containsKey(2L));
    }

    @Test
    void anItemRunningPastHalfItsLockIsRenewedAndAcceptedWhenTheBrokerHandsItBackWithoutRunningAgain() {
        consumer.lockMillis = 400;
        add(0, 1);
        start(Duration.ofSeconds(30));
        await().until(() -> submitted.containsKey(0L));

        await().until(() -> !consumer.acks().isEmpty());
        assertThat(consumer.acks()).containsExactly(Map.entry(0L, AcknowledgeType.RENEW));

        submitted.get(0L).complete(Disposition.RECORDED, null);
        consumer.awaitPolls(2);
        assertThat(consumer.acks()).as("a renewed record is acknowledged once it is in a poll again").hasSize(1);

        add(0, 1); // the broker hands the renewed record back, at the same delivery count
        await().until(() -> consumer.acks().size() == 2);
        assertThat(consumer.acks()).containsExactly(Map.entry(0L, AcknowledgeType.RENEW),
                Map.entry(0L, AcknowledgeType.ACCEPT));
        assertThat(submissions).as("its item ran once").containsExactly(0L);
    }

    @Test
    void theBrokersDeliveryCountIsTheItemsAttemptCountAndItsLastDeliveryRetriesThroughATier() {
        add(0, 1);
        add(1, 3);
        add(2, DELIVERY_LIMIT);
        start(Duration.ofSeconds(30));
        await().until(() -> submitted.size() == 3);

        assertThat(List.of(0L, 1L, 2L)).extracting(offset -> submitted.get(offset).deliveryCount())
                .containsExactly(1, 3, DELIVERY_LIMIT);
        assertThat(List.of(0L, 1L, 2L)).extracting(offset -> submitted.get(offset).retries())
                .as("a further release of the last delivery would archive the record")
                .containsExactly(RetryRoute.BROKER, RetryRoute.BROKER, RetryRoute.TIER);
        assertThat(ItemRunner.counted(job(1), submitted.get(0L)).attempt()).isEqualTo(1);
        assertThat(ItemRunner.counted(job(1), submitted.get(1L)).attempt()).as("two deliveries before").isEqualTo(3);
        assertThat(ItemRunner.counted(job(2), submitted.get(1L)).attempt()).as("a retry tier's job at attempt 2")
                .isEqualTo(4);
        TrackedRecord consumerGroup = new TrackedRecord(submitted.get(1L).record(), 2, () -> { }, error -> { });
        assertThat(ItemRunner.counted(job(1), consumerGroup).attempt())
                .as("a consumer group's redelivery is not an attempt").isEqualTo(1);
    }

    @Test
    void stoppingHandsRetryWaitsOffAndDrainsRunningItemsAcknowledgingEachBeforeTheConsumerCloses() throws Exception {
        add(0, 1);
        add(1, 1);
        start(Duration.ofMinutes(5));
        await().until(() -> submitted.size() == 2);
        CompletableFuture<RetryWaits.Outcome> retryWait = CompletableFuture.supplyAsync(() -> {
            try {
                return waits.await(new TopicPartition(TOPIC, 0), Instant.now().plus(Duration.ofHours(1)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        loop.stop();
        assertThat(retryWait.get(30, TimeUnit.SECONDS)).isEqualTo(RetryWaits.Outcome.HAND_OFF);
        assertThat(loop.stopped()).isNotDone();
        submitted.get(0L).complete(Disposition.RECORDED, null);
        submitted.get(1L).complete(Disposition.REDELIVER, null);

        loop.stopped().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(loop.failure()).isNull();
        assertThat(consumer.acks()).containsExactlyInAnyOrder(Map.entry(0L, AcknowledgeType.ACCEPT),
                Map.entry(1L, AcknowledgeType.RELEASE));
        assertThat(consumer.isClosed()).isTrue();
    }

    /** Starts the loop; records added before are all in its first poll. */
    private void start(Duration drainTimeout) {
        loop = new ShareLoop(consumer, List.of(TOPIC), record -> {
            submissions.add(record.record().offset());
            submitted.put(record.record().offset(), record);
        }, waits, DELIVERY_LIMIT, drainTimeout);
        Thread.ofPlatform().name("share-loop-test").start(loop);
    }

    private void add(long offset, int deliveryCount) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, 0L, TimestampType.CREATE_TIME, 1, 0, "k",
                new byte[0], new RecordHeaders(), Optional.empty(), Optional.of((short) deliveryCount)));
    }

    private static JobRecord job(int attempt) {
        return new JobRecord(Envelopes.SCHEMA_VERSION, "share-loop", "0", 0, 1L, "echo", null,
                JsonNodeFactory.instance.objectNode(), JobRecord.defaultTraceId("share-loop", 0), attempt,
                Instant.now());
    }

    /**
     * A mock share consumer that keeps every acknowledgement in order and counts commits, has an acquisition lock,
     * and whose empty polls wait for a record up to their timeout, as a real poll does, instead of spinning.
     */
    private static final class RecordingShareConsumer extends MockShareConsumer<String, byte[]> {
        private final List<Map.Entry<Long, AcknowledgeType>> acks = new CopyOnWriteArrayList<>();
        private volatile int commits;
        private volatile int polls;
        private volatile boolean closed;
        private int queued;
        volatile Integer lockMillis;

        RecordingShareConsumer() {
            subscribe(List.of(TOPIC)); // the mock takes records only for a subscribed topic
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            if (queued == 0) {
                try {
                    wait(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            queued = 0;
            polls++;
            return super.poll(timeout);
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<String, byte[]> record) {
            super.addRecord(record);
            queued++;
            notifyAll();
        }

        @Override
        public synchronized void acknowledge(ConsumerRecord<String, byte[]> record, AcknowledgeType type) {
            acks.add(Map.entry(record.offset(), type));
        }

        @Override
        public synchronized void commitAsync() {
            commits++;
        }

        @Override
        public Optional<Integer> acquisitionLockTimeoutMs() {
            return Optional.ofNullable(lockMillis);
        }

        @Override
        public synchronized void close(Duration timeout) {
            closed = true;
            super.close(timeout);
        }

        List<Map.Entry<Long, AcknowledgeType>> acks() {
            return new ArrayList<>(acks);
        }

        int commits() {
            return commits;
        }

        boolean isClosed() {
            return closed;
        }

        /** Waits until the loop has polled {@code n} more times. */
        void awaitPolls(int n) {
            int from = polls;
            await().until(() -> polls >= from + n);
        }
    }
}
