package dev.fanout.aggregator.internal;

import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.PoisonRecordException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds dead letters: the original key, value and headers, untouched, plus the {@code fanout.dlt.*} context. */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** The dead letter of a record that is not a valid envelope. */
    public static Record<byte[], byte[]> poison(Record<byte[], byte[]> original, RecordMetadata source,
            PoisonRecordException error) {
        Headers headers = new RecordHeaders(original.headers().toArray());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_REASON, error.reason().name());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TOPIC, source.topic());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_PARTITION, source.partition());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_OFFSET, source.offset());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TIMESTAMP, original.timestamp());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_CLASS, error.getClass().getName());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_MESSAGE, String.valueOf(error.getMessage()));
        return new Record<>(original.key(), original.value(), original.timestamp(), headers);
    }
}
