package dev.fanout.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.ThrottledException;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.RetryPolicy;
import dev.fanout.worker.WorkerMetrics;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.BooleanSupplier;

/**
 * The attempt chain of one runnable job: each attempt goes through the item's limits, runs the handler within its
 * timeout and checks the output against the batch's schema. A retriable failure waits its backoff inside the worker
 * when the wait is shorter than the shortest retry tier, and otherwise (or when the worker gives up the partition
 * meanwhile) sends the next attempt to a retry tier, so attempts are counted across workers and restarts. A share-group
 * record's short wait ends with the record released to the broker, whose redelivery is the next attempt.
 */
final class Attempts {

    private static final Logger log = LoggerFactory.getLogger(Attempts.class);
    /** The retry-tier label of next attempts that wait in the worker. */
    static final String RETRY_IN_MEMORY = "memory";

    private final Bulkhead bulkhead;
    private final LaneGate gate;
    private final AdaptiveLimit adaptive;
    private final ControlSignals signals;
    private final Outcomes outcomes;
    private final DeferredRecords deferred;
    private final RetryWaits waits;
    private final HandlerCall call;
    private final WorkerMetrics metrics;
    private final InstantSource clock;
    private final BooleanSupplier stopping;

    Attempts(Bulkhead bulkhead, LaneGate gate, AdaptiveLimit adaptive, ControlSignals signals, Outcomes outcomes,
            DeferredRecords deferred, RetryWaits waits, WorkerMetrics metrics, InstantSource clock,
            BooleanSupplier stopping) {
        this.stopping = stopping;
        this.bulkhead = bulkhead;
        this.gate = gate;
        this.adaptive = adaptive;
        this.signals = signals;
        this.outcomes = outcomes;
        this.deferred = deferred;
        this.waits = waits;
        this.call = new HandlerCall(metrics, clock);
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Runs the chain from the job's attempt to a terminal outcome or a deferral; never throws.
     *
     * @param retries           where a next attempt goes: on a share group, a short wait ends with the record
     *                          released to the broker instead of the next attempt here
     * @param chainFirstFailure when the chain first failed, if an earlier worker said so
     */
    CompletableFuture<Disposition> run(ConsumerRecord<String, byte[]> record, int deliveryCount, RetryRoute retries,
            JobRecord job, ItemPlan plan, Lane lane, Instant chainFirstFailure) {
        RetryPolicy retry = plan.retry();
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Instant firstStart = null;
        Instant firstFailure = chainFirstFailure;
        long totalMs = 0;
        for (int attempt = job.attempt(); ; attempt++) {
            int thisAttempt = attempt;
            Instant[] started = new Instant[1];
            try {
                JsonNode output = limited(plan.handler(), lane, permit -> {
                    Instant now = clock.instant();
                    if (job.isExpiredAt(now)) {
                        throw new Expired(now, job.expiresAt());
                    }
                    if (signals.isCancelled(job.batchId(), record.headers())) {
                        throw new Cancelled(signals.reason(job.batchId()));
                    }
                    if (signals.isPaused(job.batchId())) {
                        throw new Paused();
                    }
                    permit.use(); // the rate-limit permit counts from the moment the handler starts
                    Instant start = clock.instant();
                    started[0] = start;
                    metrics.started().mark();
                    return checked(plan, call.run(plan.handler(), item(record, deliveryCount, job, plan, thisAttempt,
                            start), plan.timeout(), plan.onTimeout()));
                });
                Instant finished = clock.instant();
                observe(started[0], finished, false, false);
                firstStart = firstStart == null ? started[0] : firstStart;
                metrics.latency().update(Duration.ofMillis(millis(started[0], finished)));
                metrics.handlerRan(job.handler(), Duration.ofMillis(millis(started[0], finished)));
                return outcomes.succeeded(record, job, output, thisAttempt, firstStart, finished,
                        totalMs + millis(started[0], finished));
            } catch (Cancelled cancelled) {
                return outcomes.cancelled(record, job.withAttempt(thisAttempt), cancelled.getMessage());
            } catch (Paused paused) {
                return outcomes.parked(record, job.withAttempt(thisAttempt), thisAttempt != job.attempt(),
                        signals.position());
            } catch (Expired expired) {
                return outcomes.failed(record, job, Outcomes.Failure.immediate(FailureReason.EXPIRED,
                        new ItemError("Expired", expired.getMessage()), clock.instant(), thisAttempt),
                        plan.deadLetters());
            } catch (Exception | LinkageError | AssertionError e) {
                if (stopping.getAsBoolean()
                        && (e instanceof InterruptedException || Thread.currentThread().isInterrupted())) {
                    return abandoned(job); // the worker is stopping: the item is not failed, it will be redelivered
                }
                Thread.interrupted(); // a handler's own interrupt is its failure, not a reason to stop the worker
                Instant now = clock.instant();
                Instant start = started[0] == null ? now : started[0];
                firstStart = firstStart == null ? start : firstStart;
                firstFailure = firstFailure == null ? now : firstFailure;
                totalMs += millis(start, now);
                if (started[0] != null) {
                    observe(start, now, true, e instanceof ThrottledException);
                    metrics.handlerRan(job.handler(), Duration.ofMillis(millis(start, now)));
                }
                Outcomes.Failure failure = new Outcomes.Failure(ItemStatus.FAILED, reason(e, retry, thisAttempt),
                        ItemError.of(e), e, firstStart, firstFailure, now, totalMs, thisAttempt);
                if (e instanceof HandlerCall.ItemTimeout timeout && plan.onTimeout() != TimeoutPolicy.ERROR) {
                    Outcomes.Failure timedOut = new Outcomes.Failure(ItemStatus.TIMED_OUT, FailureReason.TIMEOUT,
                            failure.error(), e, firstStart, firstFailure, now, totalMs, thisAttempt);
                    return timeout.lateOutcome() != null
                            ? outcomes.timedOutContinuing(record, job, timedOut, timeout.lateOutcome(),
                                    plan.outputSchema())
                            : outcomes.failed(record, job, timedOut, plan.deadLetters());
                }
                if (thisAttempt >= retry.maximumAttempts() || !retry.retries(e)) {
                    return outcomes.failed(record, job, failure, plan.deadLetters());
                }
                Instant dueAt = now.plus(backoff(retry, thisAttempt + 1, e));
                JobRecord next = job.withAttempt(thisAttempt + 1);
                if (retries == RetryRoute.TIER
                        || !Duration.between(now, dueAt).minus(deferred.shortestTier()).isNegative()) {
                    return outcomes.retryLater(record, next, dueAt, firstFailure, false);
                }
                metrics.retriesIn(RETRY_IN_MEMORY).inc();
                try {
                    RetryWaits.Outcome waited = waits.await(partition, dueAt);
                    if (waited == RetryWaits.Outcome.HAND_OFF) {
                        return outcomes.retryLater(record, next, dueAt, firstFailure, true);
                    }
                    if (waited == RetryWaits.Outcome.LOST) {
                        return abandoned(job); // the partition was lost: its new owner runs the lane record again
                    }
                    if (retries == RetryRoute.BROKER) {
                        metrics.retriesReleased().inc();
                        return CompletableFuture.completedFuture(Disposition.REDELIVER); // the next delivery counts
                    }
                } catch (InterruptedException interrupted) {
                    if (stopping.getAsBoolean()) {
                        return abandoned(job);
                    }
                    // nobody but a stop should interrupt a wait: keep the flag, and hand the next attempt to a retry
                    // tier rather than run it at once or drop the item
                    Thread.currentThread().interrupt();
                    return outcomes.retryLater(record, next, dueAt, firstFailure, true);
                }
            }
        }
    }

    /** Why the chain ends if this error ends it. */
    private static FailureReason reason(Throwable error, RetryPolicy retry, int attempt) {
        if (error instanceof OutputInvalid) {
            return FailureReason.OUTPUT_INVALID;
        }
        if (error instanceof HandlerCall.ItemTimeout) {
            return FailureReason.TIMEOUT;
        }
        return attempt > 1 && retry.retries(error) ? FailureReason.RETRIES_EXHAUSTED : FailureReason.HANDLER_ERROR;
    }

    private static Item item(ConsumerRecord<String, byte[]> record, int deliveryCount, JobRecord job, ItemPlan plan,
            int attempt, Instant now) {
        return new Item(job.payload(),
                job.settings() == null ? JsonNodeFactory.instance.objectNode() : job.settings(),
                new ItemContext(job.batchId(), job.itemId(), job.index(), job.total() == null ? -1 : job.total(),
                        record.key(), attempt, deliveryCount, job.traceId(),
                        plan.timeout() == null ? Instant.MAX : now.plus(plan.timeout()), job.handler()));
    }

    /** The output, if it matches the batch's schema; an {@link OutputInvalid} failure otherwise. */
    private JsonNode checked(ItemPlan plan, JsonNode output) throws OutputInvalid {
        if (plan.outputSchema() != null) {
            List<String> violations = plan.outputSchema().violations(output);
            if (!violations.isEmpty()) {
                metrics.outputInvalid().inc();
                throw new OutputInvalid(String.join("; ", violations));
            }
        }
        return output;
    }

    /**
     * An item interrupted because the worker is stopping (after its drain timeout): it publishes nothing and its
     * offset stays unfinished, so it is not committed and is delivered again to the next owner. Recording it as
     * failed would let the aggregator count a failure for an item that never got its chance.
     */
    private static CompletableFuture<Disposition> abandoned(JobRecord job) {
        Thread.currentThread().interrupt();
        log.info("item {}/{} interrupted by shutdown; it will be delivered again", job.batchId(), job.index());
        return new CompletableFuture<>();
    }

    /** The wait before the next attempt: the policy's backoff with +-20% jitter, or longer if the downstream asked. */
    private static Duration backoff(RetryPolicy retry, int next, Throwable error) {
        long base = retry.backoff(next).toMillis();
        long jittered = Math.round(base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        long asked = error instanceof ThrottledException throttled
                ? throttled.retryAfter().map(Duration::toMillis).orElse(0L) : 0L;
        return Duration.ofMillis(Math.max(jittered, asked));
    }

    /** One attempt's work, given the rate-limit permit to use the moment its handler starts. */
    private interface LimitedWork {
        JsonNode call(GroupRateLimiter.Reservation permit) throws Exception;
    }

    /**
     * Runs the work through the item's limits, in an order that never holds a slot while waiting for another: a
     * reservation of the handler's rate limiter, then its named bulkhead, then the lane gate and the worker's
     * bulkhead. The work uses the reservation as its handler starts, so the permit is logged when the request
     * leaves rather than when the item began to wait for a bulkhead; a reservation never used is given back.
     */
    private JsonNode limited(HandlerRegistry.Entry handler, Lane lane, LimitedWork work) throws Exception {
        GroupRateLimiter limiter = handler.rateLimiter();
        try (GroupRateLimiter.Reservation permit = limiter == null
                ? GroupRateLimiter.Reservation.none() : limiter.reserve()) {
            Callable<JsonNode> inBulkhead = Bulkhead.decorateCallable(bulkhead, () -> {
                long entered = metrics.slots().entered();
                try {
                    return work.call(permit);
                } finally {
                    metrics.slots().left(entered);
                }
            });
            Callable<JsonNode> inWorker = () -> {
                gate.acquire(lane);
                try {
                    return inBulkhead.call();
                } finally {
                    gate.release();
                }
            };
            Callable<JsonNode> inNamed = handler.bulkhead() == null
                    ? inWorker : Bulkhead.decorateCallable(handler.bulkhead(), inWorker);
            return inNamed.call();
        }
    }

    private void observe(Instant start, Instant end, boolean error, boolean throttled) {
        if (adaptive != null) {
            var metricsNow = bulkhead.getMetrics();
            int inUse = metricsNow.getMaxAllowedConcurrentCalls() - metricsNow.getAvailableConcurrentCalls() + 1;
            adaptive.record(Duration.between(start, end).toNanos() / 1_000, error, throttled, inUse);
        }
    }

    private static long millis(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }

    /** The output did not match the batch's output schema. */
    static final class OutputInvalid extends Exception {
        OutputInvalid(String violations) {
            super("the output does not match the batch's outputSchema: " + violations);
        }
    }

    /** The item's batch was cancelled before the item started. */
    private static final class Cancelled extends Exception {
        Cancelled(String reason) {
            super(reason);
        }
    }

    /** The item's batch is paused: the item is parked instead of run. */
    private static final class Paused extends Exception {
        Paused() {
            super("the batch is paused", null, false, false);
        }
    }

    /** The item's queue time ran out before a slot was free: it is not run. */
    private static final class Expired extends Exception {
        Expired(Instant now, Instant expiresAt) {
            super("the item waited past its expiry " + expiresAt + " (now " + now
                    + "); raise the batch's queue.timeout or add workers");
        }
    }
}
