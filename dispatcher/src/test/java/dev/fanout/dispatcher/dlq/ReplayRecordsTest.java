package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class ReplayRecordsTest {

    private static final Instant AT = Instant.parse("2026-11-22T01:00:00Z");
    private static final DeadLetter FAILED_THRICE = DeadLetterSamples.read(DeadLetterSamples.fanout("fanout.dlq",
            "fanout.jobs.normal", "key-7", DeadLetterSamples.job("b1", 7, 3), FailureReason.RETRIES_EXHAUSTED,
            "java.io.IOException", "reset", 3), 1, 12, AT);

    @Test
    void aJobIsReplayedWithItsKeyAttemptOneAndAReplayOfHeaderWithoutTheDeadLetterContext() {
        ProducerRecord<byte[], byte[]> replay = ReplayRecords.of(FAILED_THRICE, "fanout.jobs.normal",
                ReplayOptions.ofDefaults());

        assertThat(replay.topic()).isEqualTo("fanout.jobs.normal");
        assertThat(new String(replay.key(), StandardCharsets.UTF_8)).isEqualTo("key-7");
        JobRecord job = Envelopes.decode(replay.value(), JobRecord.class);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job).usingRecursiveComparison().ignoringFields("payload")
                .isEqualTo(withAttempt(DeadLetterSamples.job("b1", 7, 3), 1));
        assertThat(job.payload().toString()).isEqualTo("{\"n\":7}");
        assertThat(names(replay)).containsExactly(FanoutHeaders.BATCH_ID, FanoutHeaders.ITEM_ID,
                FanoutHeaders.ITEM_INDEX, FanoutHeaders.ITEM_TOTAL, FanoutHeaders.ATTEMPT, FanoutHeaders.TRACE_ID,
                FanoutHeaders.SCHEMA_VERSION, "user-header", FanoutHeaders.REPLAY_OF);
        assertThat(FanoutHeaders.text(replay.headers(), FanoutHeaders.ATTEMPT)).contains("1");
        assertThat(FanoutHeaders.text(replay.headers(), FanoutHeaders.REPLAY_OF)).contains("fanout.dlq/1/12");
    }

    @Test
    void keepHeadersKeepsTheContextAndDropHeaderRemovesNamedOnes() {
        ReplayOptions options = new ReplayOptions(DeadLetterFilter.all(), false, null, null, null, true,
                Set.of("user-header", FanoutHeaders.DLT_STACKTRACE), false);

        ProducerRecord<byte[], byte[]> replay = ReplayRecords.of(FAILED_THRICE, "elsewhere", options);

        assertThat(names(replay)).contains(FanoutHeaders.DLT_REASON, FanoutHeaders.DLT_ORIGINAL_TOPIC,
                FanoutHeaders.REPLAY_OF).doesNotContain("user-header", FanoutHeaders.DLT_STACKTRACE);
    }

    @Test
    void aValueThatIsNotAJobIsReplayedUnchanged() {
        byte[] poison = "{not json".getBytes(StandardCharsets.UTF_8);
        assertThat(ReplayRecords.resetAttempt(poison)).isSameAs(poison);
        DeadLetter spring = DeadLetterSamples.read(DeadLetterSamples.spring("dlq", "orders", "o-1", "{\"price\":-1}"),
                0, 3, AT);

        ProducerRecord<byte[], byte[]> replay = ReplayRecords.of(spring, ReplayRecords.target(spring,
                ReplayOptions.ofDefaults()).orElseThrow(), ReplayOptions.ofDefaults());

        assertThat(replay.topic()).isEqualTo("orders");
        assertThat(new String(replay.value(), StandardCharsets.UTF_8)).isEqualTo("{\"price\":-1}");
        assertThat(names(replay)).containsExactly(FanoutHeaders.REPLAY_OF);
    }

    @Test
    void toOverridesTheOriginalTopicAndAnUnknownOriginWithoutToHasNoTarget() {
        ReplayOptions to = new ReplayOptions(DeadLetterFilter.all(), false, null, null, "retry-here", false, Set.of(),
                false);
        assertThat(ReplayRecords.target(FAILED_THRICE, to)).contains("retry-here");
        DeadLetter unknown = DeadLetterReader.toDeadLetter(new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                "dlq", 0, 0L, new byte[0], new byte[0]));
        assertThat(ReplayRecords.target(unknown, ReplayOptions.ofDefaults())).isEmpty();
    }

    @Test
    void ratesAreParsedPerSecondOrPerMinuteAndOptionsAreValidated() {
        assertThat(ReplayOptions.parseRate("50/s")).isEqualTo(50.0);
        assertThat(ReplayOptions.parseRate("0.5")).isEqualTo(0.5);
        assertThat(ReplayOptions.parseRate("120/m")).isEqualTo(2.0);
        assertThatThrownBy(() -> ReplayOptions.parseRate("fast"))
                .hasMessage("--rate must be a positive rate such as 50/s, 0.5/s or 120/m, was 'fast'");
        assertThatThrownBy(() -> ReplayOptions.parseRate("0/s")).hasMessageContaining("was '0/s'");
        assertThatThrownBy(() -> new ReplayOptions(DeadLetterFilter.all(), false, 0, null, null, false, Set.of(),
                false)).hasMessage("--limit must be >= 1, was 0");
    }

    private static JobRecord withAttempt(JobRecord job, int attempt) {
        return new JobRecord(job.schemaVersion(), job.batchId(), job.itemId(), job.index(), job.total(),
                job.handler(), job.settings(), job.payload(), job.traceId(), attempt, job.createdAt(),
                job.expiresAt());
    }

    private static java.util.List<String> names(ProducerRecord<byte[], byte[]> record) {
        return StreamSupport.stream(record.headers().spliterator(), false).map(Header::key).toList();
    }
}
