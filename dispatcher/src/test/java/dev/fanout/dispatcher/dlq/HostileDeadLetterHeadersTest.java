package dev.fanout.dispatcher.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/TESTING.md for dead-letter headers (Fanout's, Spring's, Connect's and foreign
 * ones): a malformed header is read as absent, never an exception, and a value that is not printable text is shown
 * as hex.
 */
class HostileDeadLetterHeadersTest {

    private static final Instant AT = Instant.parse("2026-12-07T00:00:00Z");

    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of("DLQ: Fanout partition `99999999999`, attempts `-3`",
                        headers("fanout.dlt.reason", "POISON", "fanout.dlt.original-partition", "99999999999",
                                "fanout.dlt.attempts", "-3"),
                        "FANOUT topic=null partition=null offset=null reason=POISON attempts=null last=" + AT),
                Arguments.of("DLQ: Fanout `last-failure: yesterday`, offset `x`",
                        headers("fanout.dlt.original-topic", "t", "fanout.dlt.last-failure", "yesterday",
                                "fanout.dlt.original-offset", "x"),
                        "FANOUT topic=t partition=null offset=null reason=null attempts=null last=" + AT),
                Arguments.of("DLQ: Spring partition of 3 bytes, offset 8 bytes of 0xFF",
                        spring(new byte[] {1, 2, 3}, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}),
                        "SPRING topic=orders partition=null offset=-1 reason=null attempts=null last=" + AT),
                Arguments.of("DLQ: Connect partition `-1`, no offset",
                        headers("__connect.errors.topic", "orders", "__connect.errors.partition", "-1"),
                        "CONNECT topic=orders partition=null offset=null reason=null attempts=null last=" + AT),
                Arguments.of("DLQ: a foreign record with none of the known headers", headers("x-trace", "1"),
                        "UNKNOWN topic=null partition=null offset=null reason=null attempts=null last=" + AT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void malformedDeadLetterHeadersAreReadAsAbsent(String input, RecordHeaders headers, String expected) {
        DeadLetterContext context = DeadLetterHeaders.read(headers, AT);
        assertThat(context.source() + " topic=" + context.originalTopic() + " partition="
                + context.originalPartition() + " offset=" + context.originalOffset() + " reason=" + context.reason()
                + " attempts=" + context.attempts() + " last=" + context.lastFailure()).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void headerValuesThatAreNotPrintableTextAreShownAsHex() {
        assertThat(DeadLetterHeaders.display(new RecordHeader("x", "\u001b[31mred".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("0x1b5b33316d726564");
        assertThat(DeadLetterHeaders.display(new RecordHeader("fanout.dlt.reason", new byte[] {(byte) 0xff})))
                .isEqualTo("0xff");
        assertThat(DeadLetterHeaders.display(new RecordHeader("x", null))).isEqualTo("(null)");
    }

    private static RecordHeaders headers(String... pairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static RecordHeaders spring(byte[] partition, byte[] offset) {
        RecordHeaders headers = headers(DeadLetterHeaders.SPRING_ORIGINAL_TOPIC, "orders");
        headers.add(DeadLetterHeaders.SPRING_ORIGINAL_PARTITION, partition);
        headers.add(DeadLetterHeaders.SPRING_ORIGINAL_OFFSET, offset);
        return headers;
    }
}
