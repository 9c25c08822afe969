package dev.fanout.dispatcher.dlq;

import dev.fanout.protocol.FanoutHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.util.HexFormat;
import java.util.Set;

/**
 * Reads the context headers of dead letters written by Fanout ({@code fanout.dlt.*}), Spring Kafka
 * ({@code kafka_dlt-*}, partition and offset as 4- and 8-byte big-endian binary) and Kafka Connect
 * ({@code __connect.errors.*}, all text), and tells context headers from the record's own.
 */
public final class DeadLetterHeaders {

    public static final String FANOUT_PREFIX = "fanout.dlt.";
    public static final String SPRING_PREFIX = "kafka_dlt-";
    public static final String CONNECT_PREFIX = "__connect.errors.";
    /** What a worker adds while a job travels through its retry tiers and parking topic: dropped on replay too. */
    static final String WORKER_PREFIX_ORIGIN = "fanout.origin.";
    static final String WORKER_PREFIX_RETRY = "fanout.retry.";
    static final String WORKER_PREFIX_PARKED = "fanout.parked.";

    public static final String SPRING_ORIGINAL_TOPIC = "kafka_dlt-original-topic";
    public static final String SPRING_ORIGINAL_PARTITION = "kafka_dlt-original-partition";
    public static final String SPRING_ORIGINAL_OFFSET = "kafka_dlt-original-offset";
    public static final String SPRING_EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";
    public static final String SPRING_EXCEPTION_MESSAGE = "kafka_dlt-exception-message";

    public static final String CONNECT_TOPIC = "__connect.errors.topic";
    public static final String CONNECT_PARTITION = "__connect.errors.partition";
    public static final String CONNECT_OFFSET = "__connect.errors.offset";
    public static final String CONNECT_EXCEPTION_CLASS = "__connect.errors.exception.class.name";
    public static final String CONNECT_EXCEPTION_MESSAGE = "__connect.errors.exception.message";

    private static final Set<String> SPRING_BINARY = Set.of(SPRING_ORIGINAL_PARTITION,
            SPRING_ORIGINAL_OFFSET, SPRING_PREFIX + "original-timestamp");

    private DeadLetterHeaders() {
    }

    /** Whether a header is dead-letter context (any writer) rather than one of the original record's headers. */
    public static boolean isContext(String name) {
        return name.startsWith(FANOUT_PREFIX) || name.startsWith(SPRING_PREFIX) || name.startsWith(CONNECT_PREFIX)
                || name.startsWith(WORKER_PREFIX_ORIGIN) || name.startsWith(WORKER_PREFIX_RETRY)
                || name.startsWith(WORKER_PREFIX_PARKED);
    }

    /**
     * The context of a dead letter.
     *
     * @param timestamp the dead letter's own timestamp: its failure time when the headers give none
     */
    public static DeadLetterContext read(Headers headers, Instant timestamp) {
        String batchId = text(headers, FanoutHeaders.BATCH_ID);
        Long index = toLong(text(headers, FanoutHeaders.ITEM_INDEX));
        if (headers.lastHeader(FanoutHeaders.DLT_ORIGINAL_TOPIC) != null
                || headers.lastHeader(FanoutHeaders.DLT_REASON) != null) {
            Instant last = instant(text(headers, FanoutHeaders.DLT_LAST_FAILURE));
            Long partition = toLong(text(headers, FanoutHeaders.DLT_ORIGINAL_PARTITION));
            Long attempts = toLong(text(headers, FanoutHeaders.DLT_ATTEMPTS));
            return new DeadLetterContext(DeadLetterSource.FANOUT, text(headers, FanoutHeaders.DLT_ORIGINAL_TOPIC),
                    toInt(partition), toLong(text(headers, FanoutHeaders.DLT_ORIGINAL_OFFSET)),
                    text(headers, FanoutHeaders.DLT_REASON), text(headers, FanoutHeaders.DLT_EXCEPTION_CLASS),
                    text(headers, FanoutHeaders.DLT_EXCEPTION_MESSAGE), batchId, index, toInt(attempts),
                    last == null ? timestamp : last);
        }
        if (headers.lastHeader(SPRING_ORIGINAL_TOPIC) != null) {
            Long partition = binary(headers.lastHeader(SPRING_ORIGINAL_PARTITION));
            return new DeadLetterContext(DeadLetterSource.SPRING, text(headers, SPRING_ORIGINAL_TOPIC),
                    toInt(partition), binary(headers.lastHeader(SPRING_ORIGINAL_OFFSET)),
                    null, text(headers, SPRING_EXCEPTION_FQCN), text(headers, SPRING_EXCEPTION_MESSAGE), batchId,
                    index, null, timestamp);
        }
        if (headers.lastHeader(CONNECT_TOPIC) != null) {
            Long partition = toLong(text(headers, CONNECT_PARTITION));
            return new DeadLetterContext(DeadLetterSource.CONNECT, text(headers, CONNECT_TOPIC),
                    toInt(partition), toLong(text(headers, CONNECT_OFFSET)), null,
                    text(headers, CONNECT_EXCEPTION_CLASS), text(headers, CONNECT_EXCEPTION_MESSAGE), batchId, index,
                    null, timestamp);
        }
        return new DeadLetterContext(DeadLetterSource.UNKNOWN, null, null, null, null, null, null, batchId, index,
                null, timestamp);
    }

    /** A header value for display: UTF-8 text when it is printable text, else Spring's binary numbers or hex. */
    public static String display(Header header) {
        byte[] value = header.value();
        if (value == null) {
            return "(null)";
        }
        if (SPRING_BINARY.contains(header.key()) && (value.length == 4 || value.length == 8)) {
            return String.valueOf(binary(header));
        }
        String text = new String(value, StandardCharsets.UTF_8);
        boolean printable = text.codePoints().allMatch(c -> c == '\n' || c == '\t' || c == '\r' || !Character.isISOControl(c))
                && !text.contains("\uFFFD");
        return printable ? text : "0x" + HexFormat.of().formatHex(value);
    }

    /** Spring's binary int (4 bytes) or long (8 bytes), or decimal text from other writers. */
    static Long binary(Header header) {
        if (header == null || header.value() == null) {
            return null;
        }
        byte[] value = header.value();
        if (value.length == 4) {
            return (long) ByteBuffer.wrap(value).getInt();
        }
        if (value.length == 8) {
            return ByteBuffer.wrap(value).getLong();
        }
        return toLong(new String(value, StandardCharsets.UTF_8));
    }

    private static String text(Headers headers, String name) {
        return FanoutHeaders.text(headers, name).orElse(null);
    }

    private static Long toLong(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null; // a malformed header is shown as absent; the raw value stays visible in `show`
        }
    }

    /** A partition or attempt count: absent when missing, negative or beyond an int (a malformed header). */
    private static Integer toInt(Long value) {
        return value == null || value < 0 || value > Integer.MAX_VALUE ? null : value.intValue();
    }

    private static Instant instant(String text) {
        return Optional.ofNullable(text).map(value -> {
            try {
                return Instant.parse(value.trim());
            } catch (DateTimeParseException e) {
                return null; // as above: shown raw by `show`
            }
        }).orElse(null);
    }
}
