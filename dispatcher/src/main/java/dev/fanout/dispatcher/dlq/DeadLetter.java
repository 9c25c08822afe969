package dev.fanout.dispatcher.dlq;

import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;

/**
 * One record of the dead-letter topic: its coordinates there, the original key and value bytes, every header, and
 * the {@link DeadLetterContext} read from those headers.
 *
 * @param topic     the dead-letter topic
 * @param partition its partition there
 * @param offset    its offset there
 * @param timestamp when it was dead-lettered
 * @param key       the original key bytes, or {@code null}
 * @param value     the original value bytes, or {@code null}
 * @param headers   every header, context included (read-only)
 * @param context   what the headers say
 */
public record DeadLetter(String topic, int partition, long offset, Instant timestamp, byte[] key, byte[] value,
        Headers headers, DeadLetterContext context) {

    public DeadLetter {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(context, "context");
    }

    /** {@code <topic>/<partition>/<offset>}: the ledger key and the {@code fanout.replay-of} value. */
    public String coordinates() {
        return coordinates(topic, partition, offset);
    }

    public static String coordinates(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }
}
