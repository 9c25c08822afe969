package dev.fanout.worker.internal;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.WorkerMetrics;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Takes one fetched record to its terminal records, or to a deferral: rejects what is not a runnable job (oversized,
 * poison: dead-lettered with its raw bytes; unknown handler), parks items of paused batches, lets a retry-tier record
 * wait out what is left of its delay, and hands runnable jobs to their attempt chain. Returns a future that completes
 * when the broker has acknowledged the records that end (or defer) the item.
 */
public final class ItemRunner {

    private final HandlerRegistry handlers;
    private final Function<String, Lane> laneOfTopic;
    private final ControlSignals signals;
    private final DeferredRecords deferred;
    private final RetryWaits waits;
    private final Outcomes outcomes;
    private final Attempts attempts;
    private final OutputSchemas schemas = new OutputSchemas();
    private final InstantSource clock;
    private final String workerId;
    private final int maxRecordBytes;

    /**
     * @param bulkhead    the worker-wide bulkhead ({@code maxConcurrency})
     * @param gate        decides which lane's waiting item enters that bulkhead next
     * @param laneOfTopic the lane of a jobs topic
     * @param adaptive    resizes the bulkhead and the gate from what it observes, or {@code null} for a fixed limit
     * @param signals     the control signals in force (paused and cancelled batches)
     * @param deferred    the retry tiers and the parking topic
     * @param waits       short waits between attempts, ended early when the worker gives up a partition
     * @param stopping    whether the worker is stopping: only then does an interrupt mean "leave the item"
     */
    public ItemRunner(HandlerRegistry handlers, Bulkhead bulkhead, LaneGate gate, Function<String, Lane> laneOfTopic,
            AdaptiveLimit adaptive, ControlSignals signals, OutcomePublisher publisher, DeferredRecords deferred,
            RetryWaits waits, WorkerMetrics metrics, InstantSource clock, String workerId, int maxRecordBytes,
            BooleanSupplier stopping) {
        this.handlers = handlers;
        this.laneOfTopic = laneOfTopic;
        this.signals = signals;
        this.deferred = deferred;
        this.waits = waits;
        this.outcomes = new Outcomes(publisher, deferred, metrics, clock, workerId);
        this.attempts = new Attempts(bulkhead, gate, adaptive, signals, outcomes, deferred, waits, metrics, clock,
                stopping);
        this.clock = clock;
        this.workerId = workerId;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Processes the record; never throws. The future tells what became of the record once that is durable, and fails
     * only if the outcome could not be published.
     */
    public CompletableFuture<Disposition> run(TrackedRecord tracked) {
        try {
            return route(tracked);
        } catch (Throwable unexpected) {
            try {
                return outcomes.crashed(tracked.record(), unexpected);
            } catch (Throwable worse) {
                worse.addSuppressed(unexpected);
                return CompletableFuture.failedFuture(worse); // stops the worker: the record is delivered again
            }
        }
    }

    /**
     * The job as this delivery runs it: on a share group every delivery after the first is one more attempt (the
     * broker counts them); on a consumer group a redelivery is not (the attempt travels on the record).
     */
    static JobRecord counted(JobRecord job, TrackedRecord tracked) {
        return tracked.retries() == RetryRoute.WORKER ? job
                : job.withAttempt(job.attempt() + Math.max(0, tracked.deliveryCount() - 1));
    }

    private CompletableFuture<Disposition> route(TrackedRecord tracked) {
        ConsumerRecord<String, byte[]> record = tracked.record();
        int size = record.value() == null ? 0 : record.value().length;
        if (size > maxRecordBytes) {
            return outcomes.rejected(record, FailureReason.OVERSIZED, "the record value is " + size
                    + " bytes, over the worker's maxRecordBytes of " + maxRecordBytes
                    + "; send large payloads by reference (a URL or object key) or raise worker.maxRecordBytes");
        }
        JobRecord job;
        try {
            job = Envelopes.decode(record.value(), JobRecord.class);
        } catch (PoisonRecordException e) {
            return outcomes.rejected(record, e.reason(), e.getMessage());
        }
        int recordAttempt = job.attempt();
        job = counted(job, tracked);
        boolean deadLetters = job.execution() == null || job.execution().deadLetters();
        Optional<HandlerRegistry.Entry> handler = handlers.find(job.handler());
        if (handler.isEmpty()) {
            return outcomes.failed(record, job, Outcomes.Failure.immediate(FailureReason.UNKNOWN_HANDLER,
                    new ItemError("UnknownHandler", "handler '" + job.handler() + "' is not available on worker "
                            + workerId + "; this worker has: " + handlers.names()
                            + "; add it to the worker's handlers or route the batch to workers that have it"),
                    clock.instant(), job.attempt()), deadLetters);
        }
        ItemPlan plan = ItemPlan.of(handler.get(), job, schemas);
        if (plan.schemaError() != null) {
            return outcomes.failed(record, job, Outcomes.Failure.immediate(FailureReason.OUTPUT_INVALID,
                    new ItemError("OutputSchemaInvalid", plan.schemaError()), clock.instant(), job.attempt()),
                    deadLetters);
        }
        boolean cancelled = signals.isCancelled(job.batchId(), record.headers());
        if (!cancelled && signals.isPaused(job.batchId())) {
            return outcomes.parked(record, job, job.attempt() != recordAttempt, signals.position());
        }
        if (!cancelled && deferred.isDeferred(record.topic())) { // a parked retry keeps its due time too
            Optional<CompletableFuture<Disposition>> notYet = waitOutTier(record, job);
            if (notYet.isPresent()) {
                return notYet.get();
            }
        }
        return attempts.run(record, tracked.deliveryCount(), tracked.retries(), job, plan, laneOf(record),
                deferred.firstFailure(record).orElse(null));
    }

    /**
     * A retry-tier record released with wait left: moved on to the tier for that wait when it is at least the
     * shortest tier, else waited out here. Empty when the next attempt may run now.
     */
    private Optional<CompletableFuture<Disposition>> waitOutTier(ConsumerRecord<String, byte[]> record, JobRecord job) {
        Instant dueAt = deferred.dueAt(record);
        Duration left = Duration.between(clock.instant(), dueAt);
        if (!left.minus(deferred.shortestTier()).isNegative()) {
            return Optional.of(outcomes.hop(record, dueAt));
        }
        try {
            RetryWaits.Outcome waited = waits.await(new TopicPartition(record.topic(), record.partition()), dueAt);
            if (waited == RetryWaits.Outcome.HAND_OFF) {
                return Optional.of(outcomes.hop(record, dueAt));
            }
            if (waited == RetryWaits.Outcome.LOST) {
                return Optional.of(new CompletableFuture<>()); // its new owner reads the record again
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            return Optional.of(new CompletableFuture<>()); // stopping: redelivered to the next owner
        }
        return Optional.empty();
    }

    /** The lane an item competes in: its jobs topic's, or for a deferred record, that of the lane it came from. */
    private Lane laneOf(ConsumerRecord<String, byte[]> record) {
        String topic = deferred.isDeferred(record.topic())
                ? FanoutHeaders.text(record.headers(), FanoutHeaders.ORIGIN_TOPIC).orElse(record.topic())
                : record.topic();
        return laneOfTopic.apply(topic);
    }
}
