package dev.fanout.dispatcher.dlq;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;

/** Dead letters as Fanout, Spring Kafka and Kafka Connect write them. */
final class DeadLetterSamples {

    static final Instant CREATED = Instant.parse("2026-11-22T00:00:00Z");

    private DeadLetterSamples() {
    }

    static JobRecord job(String batchId, long index, int attempt) {
        return new JobRecord(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index, 10L, "echo", null,
                Envelopes.mapper().createObjectNode().put("n", index), JobRecord.defaultTraceId(batchId, index),
                attempt, CREATED);
    }

    /** A Fanout dead letter of a job that failed {@code attempts} times. */
    static ProducerRecord<String, byte[]> fanout(String dlq, String jobsTopic, String key, JobRecord job,
            FailureReason reason, String errorType, String message, int attempts) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dlq, key, Envelopes.encode(job));
        Headers headers = record.headers();
        FanoutHeaders.putIdentity(headers, job);
        headers.add("user-header", "kept".getBytes(StandardCharsets.UTF_8));
        FanoutHeaders.put(headers, FanoutHeaders.DLT_REASON, reason.name());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TOPIC, jobsTopic);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_PARTITION, 0);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_OFFSET, 40 + job.index());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TIMESTAMP, CREATED.toEpochMilli());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_CLASS, errorType);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_MESSAGE, message);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_STACKTRACE, errorType + ": " + message + "\n\tat Handler.run");
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ATTEMPTS, attempts);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_FIRST_FAILURE, CREATED.plusSeconds(1));
        FanoutHeaders.put(headers, FanoutHeaders.DLT_LAST_FAILURE, CREATED.plusSeconds(attempts));
        FanoutHeaders.put(headers, FanoutHeaders.DLT_WORKER_ID, "worker-1");
        return record;
    }

    /** A dead letter as Spring Kafka's DeadLetterPublishingRecoverer writes it (binary partition and offset). */
    static ProducerRecord<String, byte[]> spring(String dlq, String originalTopic, String key, String value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dlq, key, value.getBytes(StandardCharsets.UTF_8));
        Headers headers = record.headers();
        headers.add(DeadLetterHeaders.SPRING_ORIGINAL_TOPIC, originalTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SPRING_ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(3).array());
        headers.add(DeadLetterHeaders.SPRING_ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(1234L).array());
        headers.add(DeadLetterHeaders.SPRING_EXCEPTION_FQCN,
                "org.springframework.kafka.listener.ListenerExecutionFailedException".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SPRING_EXCEPTION_MESSAGE,
                "Listener failed; price must be positive".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** A dead letter as Kafka Connect's errant record reporter writes it (all text). */
    static ProducerRecord<String, byte[]> connect(String dlq, String originalTopic, String key, String value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dlq, key, value.getBytes(StandardCharsets.UTF_8));
        Headers headers = record.headers();
        headers.add(DeadLetterHeaders.CONNECT_TOPIC, originalTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.CONNECT_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.CONNECT_OFFSET, "77".getBytes(StandardCharsets.UTF_8));
        headers.add("__connect.errors.stage", "VALUE_CONVERTER".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.CONNECT_EXCEPTION_CLASS,
                "org.apache.kafka.connect.errors.DataException".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.CONNECT_EXCEPTION_MESSAGE,
                "Converting byte[] to Kafka Connect data failed".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** The dead letter a record becomes at {@code partition:offset} with timestamp {@code at}. */
    static DeadLetter read(ProducerRecord<String, byte[]> record, int partition, long offset, Instant at) {
        byte[] key = Optional.ofNullable(record.key()).map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
        ConsumerRecord<byte[], byte[]> consumed = new ConsumerRecord<>(record.topic(), partition, offset,
                at.toEpochMilli(), TimestampType.CREATE_TIME, key == null ? -1 : key.length, record.value().length,
                key, record.value(), record.headers(), Optional.empty());
        return DeadLetterReader.toDeadLetter(consumed);
    }
}
