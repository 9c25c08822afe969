package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.TopicDescriptor;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Listing, filtering, showing and replaying dead letters of Fanout, Spring Kafka and Kafka Connect. */
@ExtendWith(KafkaExtension.class)
class DeadLetterReplayIT {

    @Test
    void deadLettersOfEveryWriterAreListedShownAndReplayedOnceToTheirOriginalTopics(TestKafka kafka)
            throws InterruptedException {
        Fixture f = new Fixture(kafka);
        DeadLetterReader letters = DeadLetterReader.of(f.settings);

        assertThat(letters.matching(DeadLetterFilter.all())).hasSize(5);
        DeadLetterGroups groups = DeadLetterGroups.of(letters.matching(DeadLetterFilter.all()));
        assertThat(groups.byReason()).containsExactly(Map.entry("RETRIES_EXHAUSTED", 2L), Map.entry("(connect)", 1L),
                Map.entry("(spring)", 1L), Map.entry("TIMEOUT", 1L));
        assertThat(groups.byErrorType()).containsEntry("java.io.IOException", 2L);
        assertThat(letters.matching(new DeadLetterFilter(f.batch, FailureReason.RETRIES_EXHAUSTED, "reset", null,
                null, null, null))).extracting(l -> l.context().itemIndex()).containsExactly(0L, 2L);
        assertThat(letters.matching(new DeadLetterFilter(null, null, null, null, null, f.orders, null)))
                .extracting(l -> l.context().source()).containsExactly(DeadLetterSource.SPRING);
        assertThat(letters.find(1, 0)).get().extracting(l -> l.context().source())
                .isEqualTo(DeadLetterSource.CONNECT);
        assertThat(letters.find(1, 5)).isEmpty();
        assertThat(letters.find(7, 0)).isEmpty();

        DeadLetterReplay replay = new DeadLetterReplay(f.settings, java.time.InstantSource.system(), d -> {
            throw new AssertionError("no rate given, nothing may wait");
        });
        ReplaySummary dry = replay.run(options(true, null, false), (done, total) -> { });
        assertThat(dry).isEqualTo(new ReplaySummary(true, 5, 4, 0, 1, 0, 0));
        assertThat(f.records.readAll(f.jobs)).isEmpty();

        List<Long> progress = new ArrayList<>();
        ReplaySummary first = replay.run(options(false, null, false), (done, total) -> progress.add(done * 10 + total));
        assertThat(first).isEqualTo(new ReplaySummary(false, 5, 4, 0, 1, 0, 0));
        assertThat(progress).as("done * 10 + total").containsExactly(4L, 14L, 24L, 34L, 44L);

        List<ConsumerRecord<String, byte[]>> jobs = f.records.readAll(f.jobs);
        assertThat(jobs).extracting(ConsumerRecord::key).containsExactly("k-0", "k-0");
        assertThat(jobs).extracting(r -> Envelopes.decode(r.value(), JobRecord.class).index()).containsExactly(0L, 2L);
        assertThat(jobs).extracting(r -> Envelopes.decode(r.value(), JobRecord.class).attempt()).containsOnly(1);
        assertThat(jobs).extracting(r -> FanoutHeaders.text(r.headers(), FanoutHeaders.REPLAY_OF).orElseThrow())
                .containsExactly(f.dlq + "/0/0", f.dlq + "/0/2");
        assertThat(jobs.get(0).headers().lastHeader(FanoutHeaders.DLT_REASON)).isNull();
        ConsumerRecord<String, byte[]> order = f.records.readAll(f.orders).getFirst();
        assertThat(order.key()).isEqualTo("o-1");
        assertThat(new String(order.value(), StandardCharsets.UTF_8)).isEqualTo("{\"price\":-1}");
        assertThat(f.records.readAll(f.payments)).extracting(ConsumerRecord::key).containsExactly("p-1");
        assertThat(new ReplayLedger(f.settings).replayed()).containsExactlyInAnyOrder(f.dlq + "/0/0",
                f.dlq + "/0/2", f.dlq + "/0/3", f.dlq + "/1/0");

        ReplaySummary second = replay.run(options(false, null, false), (done, total) -> { });
        assertThat(second).isEqualTo(new ReplaySummary(false, 5, 0, 4, 1, 0, 0));
        assertThat(f.records.readAll(f.jobs)).hasSize(2);

        assertThatThrownBy(() -> replay.run(new ReplayOptions(DeadLetterFilter.all(), false, null, null,
                "it-missing-" + f.run, false, Set.of(), true), (done, total) -> { }))
                .isInstanceOf(DeadLetterReplay.ReplayFailedException.class)
                .hasMessage("target topic(s) [it-missing-" + f.run + "] do not exist; create them or pass --to TOPIC;"
                        + " nothing was replayed");

        List<Duration> waits = new ArrayList<>();
        ReplayPacingTest.FakeTime time = new ReplayPacingTest.FakeTime();
        DeadLetterReplay paced = new DeadLetterReplay(f.settings, time, d -> {
            waits.add(d);
            time.sleep(d);
        });
        ReplaySummary forced = paced.run(new ReplayOptions(DeadLetterFilter.all(), false, 3, 2.0, null, false,
                Set.of(), true), (done, total) -> { });
        assertThat(forced).isEqualTo(new ReplaySummary(false, 5, 3, 0, 0, 2, 0));
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
        assertThat(f.records.readAll(f.jobs)).hasSize(5);
    }

    private static ReplayOptions options(boolean dryRun, Integer limit, boolean force) {
        return new ReplayOptions(notTimeouts(), dryRun, limit, null, null, false, Set.of(), force);
    }

    /** Every dead letter but the timeout (whose error type and message do not contain "exception"). */
    private static DeadLetterFilter notTimeouts() {
        return new DeadLetterFilter(null, null, "exception", null, null, null, null);
    }

    /** Five dead letters: three of a Fanout batch (one a timeout) and a Spring one on partition 0, Connect on 1. */
    private static final class Fixture {
        final String run = UUID.randomUUID().toString().substring(0, 8);
        final KafkaSettings settings;
        final String dlq;
        final String jobs;
        final String orders = "it-" + run + "-orders";
        final String payments = "it-" + run + "-payments";
        final String batch = "batch-" + run;
        final TopicRecords records;

        Fixture(TestKafka kafka) {
            settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix("it-" + run + ".")
                    .withPartitions(1, 2);
            Topics topics = settings.topics();
            dlq = topics.deadLetters().name();
            jobs = topics.jobs(Lane.NORMAL).name();
            TopicInitializer.ensure(settings, List.of(topics.deadLetters(), topics.jobs(Lane.NORMAL),
                    new TopicDescriptor<>(orders, byte[].class, 1, Map.of()),
                    new TopicDescriptor<>(payments, byte[].class, 1, Map.of())));
            records = new TopicRecords(kafka.bootstrapServers());
            send(0, DeadLetterSamples.fanout(dlq, jobs, "k-0", DeadLetterSamples.job(batch, 0, 3),
                    FailureReason.RETRIES_EXHAUSTED, "java.io.IOException", "connection reset", 3));
            send(0, DeadLetterSamples.fanout(dlq, jobs, "k-1", DeadLetterSamples.job(batch, 1, 1),
                    FailureReason.TIMEOUT, "Timeout", "ran past 30s", 1));
            send(0, DeadLetterSamples.fanout(dlq, jobs, "k-0", DeadLetterSamples.job(batch, 2, 5),
                    FailureReason.RETRIES_EXHAUSTED, "java.io.IOException", "connection reset by peer", 5));
            send(0, DeadLetterSamples.spring(dlq, orders, "o-1", "{\"price\":-1}"));
            send(1, DeadLetterSamples.connect(dlq, payments, "p-1", "\u0000\u0001bad"));
        }

        private void send(int partition, ProducerRecord<String, byte[]> record) {
            records.send(new ProducerRecord<>(record.topic(), partition, record.key(), record.value(),
                    record.headers()));
        }
    }
}
