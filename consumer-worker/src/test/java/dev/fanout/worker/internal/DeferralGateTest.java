package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Lane;

class DeferralGateTest {

    private final Topics topics = Topics.ofDefaults();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final DeferredRecords deferred = new DeferredRecords(topics, clock, "workers");

    @Test
    void aWaitIsSentToTheLongestTierNoLongerThanIt() {
        assertThat(deferred.tierFor(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(10));
        assertThat(deferred.tierFor(Duration.ofSeconds(45))).isEqualTo(Duration.ofSeconds(10));
        assertThat(deferred.tierFor(Duration.ofSeconds(60))).isEqualTo(Duration.ofMinutes(1));
        assertThat(deferred.tierFor(Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aTierRecordIsReleasedAtItsDueTimeOrAfterTheTierDelayWhicheverComesFirst() {
        // never started: no signal in force, no release seen (-1)
        try (ControlSignals signals = new ControlSignals(KafkaSettings.of("127.0.0.1:9"), "w", clock)) {
            DeferralGate gate = new DeferralGate(deferred, signals, clock);
            ConsumerRecord<String, byte[]> dueSoon = tierRecord(Duration.ofSeconds(4));
            ConsumerRecord<String, byte[]> dueLater = tierRecord(Duration.ofSeconds(40));

            assertThat(gate.check(dueSoon)).contains(new DeferralGate.Until(clock.instant().plusSeconds(4), -1));
            assertThat(gate.check(dueLater)).contains(new DeferralGate.Until(clock.instant().plusSeconds(10), -1));
            clock.advance(Duration.ofSeconds(10));
            assertThat(gate.check(dueSoon)).isEmpty();
            assertThat(gate.check(dueLater)).as("released to hop on with 30 s left").isEmpty();
        }
    }

    @Test
    void aRetryRecordPointsAtItsLaneAndOnlyItsOwnGroupTakesItBack() {
        ConsumerRecord<String, byte[]> lane = new ConsumerRecord<>(topics.jobs(Lane.NORMAL).name(),
                3, 42L, "k", new byte[0]);
        var retry = deferred.hop(lane, clock.instant().plusSeconds(30));
        ConsumerRecord<String, byte[]> read = new ConsumerRecord<>(retry.topic(), 0, 7L, retry.timestamp(),
                TimestampType.CREATE_TIME, 0, 0, retry.key(), retry.value(), retry.headers(), Optional.empty());

        assertThat(retry.topic()).isEqualTo(topics.retryTiers().get(Duration.ofSeconds(10)).name());
        assertThat(deferred.origin(read)).isEqualTo(new DeferredRecords.Origin(lane.topic(), 3, 42L, lane.timestamp()));
        assertThat(deferred.isForeign(read)).isFalse();
        assertThat(new DeferredRecords(topics, clock, "other-group").isForeign(read)).isTrue();
    }

    private ConsumerRecord<String, byte[]> tierRecord(Duration dueIn) {
        RecordHeaders headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.RETRY_DUE_AT, clock.instant().plus(dueIn).toEpochMilli());
        return new ConsumerRecord<>(topics.retryTiers().get(Duration.ofSeconds(10)).name(), 0, 0L, clock.millis(),
                TimestampType.CREATE_TIME, 0, 0, "k", new byte[0], headers, Optional.empty());
    }
}
