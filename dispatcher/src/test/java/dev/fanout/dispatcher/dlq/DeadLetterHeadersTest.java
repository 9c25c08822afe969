package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    private static final Instant AT = Instant.parse("2026-11-22T01:00:00Z");

    @Test
    void fanoutDeadLettersGiveReasonErrorAttemptsIdentityAndOriginalCoordinates() {
        DeadLetter letter = DeadLetterSamples.read(DeadLetterSamples.fanout("dlq", "fanout.jobs.normal", "k",
                DeadLetterSamples.job("b1", 4, 3), FailureReason.RETRIES_EXHAUSTED, "java.io.IOException",
                "connection reset", 3), 0, 9, AT);

        assertThat(letter.context()).isEqualTo(new DeadLetterContext(DeadLetterSource.FANOUT, "fanout.jobs.normal",
                0, 44L, "RETRIES_EXHAUSTED", "java.io.IOException", "connection reset", "b1", 4L, 3,
                DeadLetterSamples.CREATED.plusSeconds(3)));
        assertThat(letter.coordinates()).isEqualTo("dlq/0/9");
    }

    @Test
    void springDeadLettersAreReadWithTheirBinaryPartitionAndOffset() {
        DeadLetter letter = DeadLetterSamples.read(DeadLetterSamples.spring("dlq", "orders", "o-1", "{}"), 1, 2, AT);

        assertThat(letter.context()).isEqualTo(new DeadLetterContext(DeadLetterSource.SPRING, "orders", 3, 1234L,
                null, "org.springframework.kafka.listener.ListenerExecutionFailedException",
                "Listener failed; price must be positive", null, null, null, AT));
        assertThat(DeadLetterGroups.reasonOf(letter.context())).isEqualTo("(spring)");
    }

    @Test
    void connectDeadLettersAreReadFromTheirTextHeaders() {
        DeadLetter letter = DeadLetterSamples.read(DeadLetterSamples.connect("dlq", "payments", "p-1", "x"), 0, 0, AT);

        assertThat(letter.context()).isEqualTo(new DeadLetterContext(DeadLetterSource.CONNECT, "payments", 1, 77L,
                null, "org.apache.kafka.connect.errors.DataException", "Converting byte[] to Kafka Connect data failed",
                null, null, null, AT));
    }

    @Test
    void aRecordWithoutContextHeadersIsOfUnknownSourceAndHasNoOriginalTopic() {
        RecordHeaders headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_ID, "b2");

        DeadLetterContext context = DeadLetterHeaders.read(headers, AT);

        assertThat(context.source()).isEqualTo(DeadLetterSource.UNKNOWN);
        assertThat(context.originalTopic()).isNull();
        assertThat(context.batchId()).isEqualTo("b2");
    }

    @Test
    void contextHeadersOfEveryWriterAreToldFromTheRecordsOwn() {
        assertThat(DeadLetterHeaders.isContext(FanoutHeaders.DLT_REASON)).isTrue();
        assertThat(DeadLetterHeaders.isContext(DeadLetterHeaders.SPRING_EXCEPTION_FQCN)).isTrue();
        assertThat(DeadLetterHeaders.isContext(DeadLetterHeaders.CONNECT_TOPIC)).isTrue();
        assertThat(DeadLetterHeaders.isContext(FanoutHeaders.BATCH_ID)).isFalse();
        assertThat(DeadLetterHeaders.isContext("traceparent")).isFalse();
    }

    @Test
    void headersAreDisplayedAsTextSpringNumbersOrHex() {
        assertThat(DeadLetterHeaders.display(new RecordHeader(DeadLetterHeaders.SPRING_ORIGINAL_OFFSET,
                java.nio.ByteBuffer.allocate(8).putLong(1234L).array()))).isEqualTo("1234");
        assertThat(DeadLetterHeaders.display(new RecordHeader("note", "héllo".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("héllo");
        assertThat(DeadLetterHeaders.display(new RecordHeader("raw", new byte[] {0, (byte) 0xff})))
                .isEqualTo("0x00ff");
    }
}
