package dev.fanout.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.CompensationInput;
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
import dev.fanout.schema.OutputSchema;

/**
 * The records that end, or defer, an item: a success, a failure (result plus dead letter unless the batch turned
 * dead letters off), a cancellation (result only), a rejected record (dead letter with its raw bytes, plus a result
 * when its headers identify the item), a next attempt in a retry tier, or a parked item of a paused batch. Each
 * returned future completes when the broker has acknowledged every record, with what became of the job (a share group
 * acknowledges it by that); only then is the job's offset done.
 */
final class Outcomes {

    private static final Logger log = LoggerFactory.getLogger(Outcomes.class);
    /** A success carrying a compensation input stays under this size (the broker's default limit is 1 MiB). */
    static final int COMPENSATION_RESULT_BYTES = 1_000_000;

    private final OutcomePublisher publisher;
    private final DeferredRecords deferred;
    private final WorkerMetrics metrics;
    private final InstantSource clock;
    private final String workerId;

    Outcomes(OutcomePublisher publisher, DeferredRecords deferred, WorkerMetrics metrics, InstantSource clock,
            String workerId) {
        this.publisher = publisher;
        this.deferred = deferred;
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = workerId;
    }

    /** How an attempt chain failed. */
    record Failure(ItemStatus status, FailureReason reason, ItemError error, Throwable cause, Instant started,
            Instant firstFailure, Instant lastFailure, long durationMs, int attempts) {

        /** A failure before anything ran (unknown handler, expired), at {@code now}. */
        static Failure immediate(FailureReason reason, ItemError error, Instant now, int attempt) {
            return new Failure(ItemStatus.FAILED, reason, error, null, now, now, now, 0, attempt);
        }
    }

    CompletableFuture<Disposition> succeeded(ConsumerRecord<String, byte[]> record, JobRecord job, JsonNode output,
            int attempts, Instant started, Instant finished, long durationMs) {
        metrics.succeeded().mark();
        metrics.handlerSucceeded(job.handler());
        ItemResult result = replayed(record, new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(),
                job.itemId(), job.index(), ItemStatus.SUCCEEDED, null, null, output, attempts, started, finished,
                durationMs, workerId, false, job.traceId()));
        if (job.compensation() != null) {
            result = withCompensationInput(record, job, result);
        }
        return recorded(publisher.publish(result));
    }

    /**
     * The success with what the aggregator needs to undo the item if its batch fails: the handler, the record key and
     * the payload; without the payload (the compensation job then says so) when the result would be over
     * {@link #COMPENSATION_RESULT_BYTES}.
     */
    private static ItemResult withCompensationInput(ConsumerRecord<String, byte[]> record, JobRecord job,
            ItemResult result) {
        String key = record.key() == null ? job.itemId() : record.key();
        ItemResult full = result.withCompensation(CompensationInput.of(job.compensation(), key, job.payload()));
        if (job.payload() == null || Envelopes.encode(full).length <= COMPENSATION_RESULT_BYTES) {
            return full;
        }
        log.warn("item {}/{}: with its payload its result would be over {} bytes; its compensation job will not"
                + " carry the payload", job.batchId(), job.index(), COMPENSATION_RESULT_BYTES);
        return result.withCompensation(CompensationInput.of(job.compensation(), key, null));
    }

    /**
     * @param deadLetter false when the batch records failures in the result only ({@code deadLetterQueue: false})
     */
    CompletableFuture<Disposition> failed(ConsumerRecord<String, byte[]> record, JobRecord job, Failure failure,
            boolean deadLetter) {
        metrics.failed().mark();
        metrics.handlerFailed(job.handler(), failure.reason());
        if (failure.durationMs() > 0) {
            metrics.latency().update(Duration.ofMillis(failure.durationMs()));
        }
        log.debug("item {}/{} failed ({}) after {} attempts: {}", job.batchId(), job.index(), failure.reason(),
                failure.attempts(), failure.error().message());
        ItemResult result = replayed(record, new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(),
                job.index(), failure.status(), failure.reason(), failure.error(), null, failure.attempts(),
                failure.started(), failure.lastFailure(), failure.durationMs(), workerId, deadLetter,
                job.traceId()));
        if (!deadLetter) {
            return recorded(publisher.publish(result));
        }
        metrics.deadLettered(failure.reason());
        ProducerRecord<String, byte[]> letter = DeadLetterRecords.of(publisher.topics().deadLetters().name(), record,
                deferred.origin(record), failure.reason(), failure.error(), failure.cause(), failure.attempts(),
                failure.firstFailure(), failure.lastFailure(), workerId);
        return publisher.publish(letter, result).thenApply(done -> Disposition.DEAD_LETTERED);
    }

    /**
     * {@code onTimeout: continue}: the item is recorded {@code TIMED_OUT} now (no dead letter: it may still finish);
     * when the handler does finish, its late output or error follows as a {@code late} supplement.
     */
    CompletableFuture<Disposition> timedOutContinuing(ConsumerRecord<String, byte[]> record, JobRecord job,
            Failure failure, CompletableFuture<JsonNode> lateOutcome, OutputSchema schema) {
        metrics.failed().mark();
        metrics.handlerFailed(job.handler(), FailureReason.TIMEOUT);
        ItemResult timedOut = replayed(record, new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(),
                job.index(), ItemStatus.TIMED_OUT, FailureReason.TIMEOUT, failure.error(), null, failure.attempts(),
                failure.started(), failure.lastFailure(), failure.durationMs(), workerId, false, job.traceId()));
        CompletableFuture<Void> published = publisher.publish(timedOut);
        // on a virtual thread of its own, never on the producer's I/O thread (a send there could block it)
        lateOutcome.whenComplete((output, thrown) -> published.thenRunAsync(() -> {
            Instant now = clock.instant();
            Throwable error = thrown;
            if (error == null && schema != null && !schema.violations(output).isEmpty()) {
                error = new Attempts.OutputInvalid(String.join("; ", schema.violations(output)));
            }
            ItemResult late = new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(), job.index(),
                    ItemStatus.TIMED_OUT, FailureReason.TIMEOUT, error == null ? failure.error() : ItemError.of(error),
                    error == null ? output : null, failure.attempts(), failure.started(), now,
                    failure.durationMs() + Math.max(0, Duration.between(failure.lastFailure(), now).toMillis()),
                    workerId, false, job.traceId(), timedOut.replayOf(), true, timedOut.job(), timedOut.queuedAt());
            publisher.publish(late).whenComplete((done, failed) -> {
                if (failed != null) {
                    log.warn("could not attach the late output of timed-out item {}/{}: {}", job.batchId(),
                            job.index(), failed.toString());
                }
            });
        }, task -> Thread.ofVirtual().name("fanout-late-output").start(task)));
        return recorded(published);
    }

    /**
     * A record that is not a runnable job: dead-lettered with its raw bytes. When its headers still identify the
     * item, a FAILED result is published too, so its batch can complete.
     */
    CompletableFuture<Disposition> rejected(ConsumerRecord<String, byte[]> record, FailureReason reason, String why) {
        metrics.poison().inc();
        log.warn("dead-lettering {} record at {}-{}@{}: {}", reason, record.topic(), record.partition(),
                record.offset(), why);
        return deadLetterOnly(record, reason, new ItemError(reason.name(), why), null);
    }

    /**
     * A record whose processing failed in a way nothing else caught (an error thrown by the worker's own code, or a
     * {@code StackOverflowError} from a handler): dead-lettered as {@code HANDLER_ERROR} with the error, so one such
     * record can never stop its partition from committing.
     */
    CompletableFuture<Disposition> crashed(ConsumerRecord<String, byte[]> record, Throwable error) {
        log.error("dead-lettering the record at {}-{}@{} after an unexpected error", record.topic(),
                record.partition(), record.offset(), error);
        return deadLetterOnly(record, FailureReason.HANDLER_ERROR, ItemError.of(error), error);
    }

    private CompletableFuture<Disposition> deadLetterOnly(ConsumerRecord<String, byte[]> record, FailureReason reason,
            ItemError error, Throwable cause) {
        metrics.deadLettered(reason);
        Instant now = clock.instant();
        ProducerRecord<String, byte[]> deadLetter = DeadLetterRecords.of(publisher.topics().deadLetters().name(),
                record, deferred.origin(record), reason, error, cause, 1, now, now, workerId);
        if (reason == FailureReason.OVERSIZED) {
            deadLetter = DeadLetterRecords.withoutValue(deadLetter, record.value().length);
        }
        ItemResult result = identifiedResult(record, reason, error, now);
        if (result != null) {
            metrics.failed().mark();
        }
        return publisher.publish(deadLetter, result).thenApply(done -> Disposition.DEAD_LETTERED);
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
        return replayed(record, new ItemResult(Envelopes.SCHEMA_VERSION, batchId.get(), itemId,
                Long.parseLong(index.get()), ItemStatus.FAILED, reason, error, null, 1, now, now, 0, workerId, true,
                traceId));
    }

    /** A cancelled batch's item that had not started: recorded {@code CANCELLED}, not run, not dead-lettered. */
    CompletableFuture<Disposition> cancelled(ConsumerRecord<String, byte[]> record, JobRecord job, String reason) {
        metrics.cancelled().inc();
        Instant now = clock.instant();
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(), job.index(),
                ItemStatus.CANCELLED, FailureReason.CANCELLED, new ItemError("Cancelled", reason), null,
                job.attempt(), now, now, 0, workerId, false, job.traceId());
        return recorded(publisher.publish(replayed(record, result)));
    }

    /** The next attempt, due at {@code dueAt}, through the retry tier for that wait. */
    CompletableFuture<Disposition> retryLater(ConsumerRecord<String, byte[]> record, JobRecord next, Instant dueAt,
            Instant firstFailure, boolean handedOff) {
        (handedOff ? metrics.retriesHandedOff() : metrics.retriesDeferred()).inc();
        ProducerRecord<String, byte[]> retry = deferred.retry(record, next, dueAt, firstFailure);
        metrics.retriesIn(retry.topic().substring(retry.topic().lastIndexOf('.') + 1)).inc();
        log.debug("item {}/{}: attempt {} due at {} goes through {}", next.batchId(), next.index(), next.attempt(),
                dueAt, retry.topic());
        return recorded(publisher.publish(retry));
    }

    /** A retry-tier record with wait left, moved to the tier for that wait (or handed off when waiting in memory). */
    CompletableFuture<Disposition> hop(ConsumerRecord<String, byte[]> record, Instant dueAt) {
        return recorded(publisher.publish(deferred.hop(record, dueAt)));
    }

    /**
     * An item of a paused batch, parked until the batch resumes or is cancelled.
     *
     * @param job the job as it stands (its attempt may be past the record's, after retries in this worker)
     */
    CompletableFuture<Disposition> parked(ConsumerRecord<String, byte[]> record, JobRecord job, boolean attemptChanged,
            long controlPosition) {
        metrics.parked().inc();
        log.debug("item {}/{} parked: its batch is paused", job.batchId(), job.index());
        return recorded(publisher.publish(deferred.parked(record, attemptChanged ? job : null, controlPosition)));
    }

    private static CompletableFuture<Disposition> recorded(CompletableFuture<Void> published) {
        return published.thenApply(done -> Disposition.RECORDED);
    }

    /** The result, with where its job was first read and, for a replayed dead letter, which one it was. */
    private ItemResult replayed(ConsumerRecord<String, byte[]> record, ItemResult result) {
        DeferredRecords.Origin origin = deferred.origin(record);
        ItemResult located = result.withJob(origin.topic() + "/" + origin.partition() + "/" + origin.offset(),
                origin.timestamp() > 0 ? Instant.ofEpochMilli(origin.timestamp()) : null);
        Optional<String> replayOf = FanoutHeaders.text(record.headers(), FanoutHeaders.REPLAY_OF);
        return replayOf.isPresent() && !replayOf.get().isBlank() ? located.asReplayOf(replayOf.get()) : located;
    }
}
