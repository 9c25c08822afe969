package dev.fanout.worker.internal;

import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Builds dead-letter records: the original key, value bytes and headers, plus the {@code fanout.dlt.*} context
 * headers (reason, original coordinates, error, attempts, failure times, worker).
 */
public final class DeadLetterRecords {

    /** Stack traces in headers are cut to this many characters. */
    public static final int MAX_STACKTRACE_CHARS = 8_000;

    private DeadLetterRecords() {
    }

    /**
     * @param error the exception, or {@code null} when the failure is not an exception (then {@code detail} is used)
     */
    public static ProducerRecord<String, byte[]> of(String deadLetterTopic, ConsumerRecord<String, byte[]> original,
            FailureReason reason, ItemError detail, Throwable error, int attempts, Instant firstFailure,
            Instant lastFailure, String workerId) {
        return of(deadLetterTopic, original, new DeferredRecords.Origin(original.topic(), original.partition(),
                original.offset(), original.timestamp()), reason, detail, error, attempts, firstFailure, lastFailure,
                workerId);
    }

    /**
     * @param origin where the job was first read (the lane record), which differs from {@code original} when the
     *               job failed after travelling through a retry tier or the parking topic
     */
    static ProducerRecord<String, byte[]> of(String deadLetterTopic, ConsumerRecord<String, byte[]> original,
            DeferredRecords.Origin origin, FailureReason reason, ItemError detail, Throwable error, int attempts,
            Instant firstFailure, Instant lastFailure, String workerId) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(deadLetterTopic, original.key(), original.value());
        Headers headers = record.headers();
        for (Header header : original.headers()) {
            headers.add(header);
        }
        FanoutHeaders.put(headers, FanoutHeaders.DLT_REASON, reason.name());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TOPIC, origin.topic());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_PARTITION, origin.partition());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_OFFSET, origin.offset());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TIMESTAMP, origin.timestamp());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_CLASS, detail.type());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_MESSAGE, detail.message());
        if (error != null) {
            FanoutHeaders.put(headers, FanoutHeaders.DLT_STACKTRACE, stackTrace(error));
        }
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ATTEMPTS, attempts);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_FIRST_FAILURE, firstFailure);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_LAST_FAILURE, lastFailure);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_WORKER_ID, workerId);
        return record;
    }

    /**
     * The dead letter of an oversized record, without its value (which would not fit in a produce request either):
     * the original topic, partition and offset in its headers still lead to it, and {@code fanout.dlt.original-size}
     * says how large it was.
     */
    public static ProducerRecord<String, byte[]> withoutValue(ProducerRecord<String, byte[]> deadLetter, int size) {
        ProducerRecord<String, byte[]> slim = new ProducerRecord<>(deadLetter.topic(), null, deadLetter.key(), null,
                deadLetter.headers());
        FanoutHeaders.put(slim.headers(), FanoutHeaders.DLT_ORIGINAL_SIZE, size);
        return slim;
    }

    static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        return text.length() <= MAX_STACKTRACE_CHARS ? text : text.substring(0, MAX_STACKTRACE_CHARS) + "\n\t…";
    }
}
