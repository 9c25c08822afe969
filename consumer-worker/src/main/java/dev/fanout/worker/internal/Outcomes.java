package dev.fanout.worker.internal;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.worker.WorkerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal records of items that did not succeed: a failure (result plus dead letter), a cancellation (result
 * only) or a rejected record (dead letter with its raw bytes, plus a result when its headers identify the item).
 * Each returned future completes when the broker has acknowledged every record.
 */
final class Outcomes {

    private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

    private final OutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final InstantSource clock;
    private final String workerId;

    Outcomes(OutcomePublisher publisher, WorkerMetrics metrics, InstantSource clock, String workerId) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = workerId;
    }

    CompletableFuture<Void> failed(ConsumerRecord<String, byte[]> record, JobRecord job, FailureReason reason,
            ItemError error, Throwable cause, Instant started, Instant finished, long durationMs) {
        return failed(record, job, ItemStatus.FAILED, reason, error, cause, started, finished, durationMs, 1);
    }

    CompletableFuture<Void> failed(ConsumerRecord<String, byte[]> record, JobRecord job, ItemStatus status,
            FailureReason reason, ItemError error, Throwable cause, Instant started, Instant finished,
            long durationMs, int attempts) {
        metrics.failed().mark();
        metrics.deadLetters().inc();
        if (durationMs > 0) {
            metrics.latency().update(Duration.ofMillis(durationMs));
        }
        log.debug("item {}/{} failed ({}) after {} attempts: {}", job.batchId(), job.index(), reason, attempts,
                error.message());
        ProducerRecord<String, byte[]> deadLetter = DeadLetterRecords.of(publisher.topics().deadLetters().name(),
                record, reason, error, cause, attempts, started, finished, workerId);
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(), job.index(),
                status, reason, error, null, attempts, started, finished, durationMs, workerId, true,
                job.traceId());
        return publisher.publish(deadLetter, result);
    }

    /**
     * A record that is not a runnable job: dead-lettered with its raw bytes. When its headers still identify the
     * item, a FAILED result is published too, so its batch can complete.
     */
    CompletableFuture<Void> rejected(ConsumerRecord<String, byte[]> record, FailureReason reason, String why) {
        metrics.poison().inc();
        metrics.deadLetters().inc();
        log.warn("dead-lettering {} record at {}-{}@{}: {}", reason, record.topic(), record.partition(),
                record.offset(), why);
        Instant now = clock.instant();
        ItemError error = new ItemError(reason.name(), why);
        ProducerRecord<String, byte[]> deadLetter = DeadLetterRecords.of(publisher.topics().deadLetters().name(),
                record, reason, error, null, 1, now, now, workerId);
        if (reason == FailureReason.OVERSIZED) {
            deadLetter = DeadLetterRecords.withoutValue(deadLetter, record.value().length);
        }
        ItemResult result = identifiedResult(record, reason, error, now);
        if (result != null) {
            metrics.failed().mark();
        }
        return publisher.publish(deadLetter, result);
    }

    private ItemResult identifiedResult(ConsumerRecord<String, byte[]> record, FailureReason reason, ItemError error,
            Instant now) {
        Optional<String> batchId = FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID);
        Optional<String> index = FanoutHeaders.text(record.headers(), FanoutHeaders.ITEM_INDEX);
        if (batchId.isEmpty() || batchId.get().isBlank() || index.isEmpty() || !index.get().matches("\\d{1,18}")) {
            return null;
        }
        String itemId = FanoutHeaders.text(record.headers(), FanoutHeaders.ITEM_ID).orElse(index.get());
        String traceId = FanoutHeaders.text(record.headers(), FanoutHeaders.TRACE_ID)
                .orElse(JobRecord.defaultTraceId(batchId.get(), Long.parseLong(index.get())));
        return new ItemResult(Envelopes.SCHEMA_VERSION, batchId.get(), itemId, Long.parseLong(index.get()),
                ItemStatus.FAILED, reason, error, null, 1, now, now, 0, workerId, true, traceId);
    }

    /** A cancelled batch's item that had not started: recorded {@code CANCELLED}, not run, not dead-lettered. */
    CompletableFuture<Void> cancelled(JobRecord job, String reason) {
        metrics.cancelled().inc();
        Instant now = clock.instant();
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(), job.index(),
                ItemStatus.CANCELLED, FailureReason.CANCELLED, new ItemError("Cancelled", reason), null,
                job.attempt(), now, now, 0, workerId, false, job.traceId());
        return publisher.publish(result);
    }
}
