package dev.fanout.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.ThrottledException;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.RetryPolicy;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.worker.WorkerMetrics;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs one job record to its terminal records: decodes it (a poison record is dead-lettered with its raw bytes),
 * finds its handler, runs it inside the worker's bulkhead and publishes the result, plus a dead letter on failure.
 * Returns a future that completes when the broker has acknowledged them.
 */
public final class ItemRunner {

    private static final Logger log = LoggerFactory.getLogger(ItemRunner.class);

    private final HandlerRegistry handlers;
    private final Bulkhead bulkhead;
    private final LaneGate gate;
    private final Function<String, Lane> laneOfTopic;
    private final AdaptiveLimit adaptive;
    private final ControlSignals signals;
    private final Sleeper sleeper;
    private final OutcomePublisher publisher;
    private final Outcomes outcomes;
    private final WorkerMetrics metrics;
    private final InstantSource clock;
    private final String workerId;
    private final int maxRecordBytes;

    /**
     * @param bulkhead    the worker-wide bulkhead ({@code maxConcurrency})
     * @param gate        decides which lane's waiting item enters that bulkhead next
     * @param laneOfTopic the lane of a jobs topic
     * @param adaptive    resizes the bulkhead and the gate from what it observes, or {@code null} for a fixed limit
     * @param signals     the control signals in force (cancelled batches)
     * @param sleeper     waits between attempts (the worker's clock)
     */
    public ItemRunner(HandlerRegistry handlers, Bulkhead bulkhead, LaneGate gate, Function<String, Lane> laneOfTopic,
            AdaptiveLimit adaptive, ControlSignals signals, OutcomePublisher publisher, WorkerMetrics metrics,
            InstantSource clock, Sleeper sleeper, String workerId, int maxRecordBytes) {
        this.signals = signals;
        this.sleeper = sleeper;
        this.handlers = handlers;
        this.bulkhead = bulkhead;
        this.gate = gate;
        this.laneOfTopic = laneOfTopic;
        this.adaptive = adaptive;
        this.publisher = publisher;
        this.outcomes = new Outcomes(publisher, metrics, clock, workerId);
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = workerId;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Processes the record; never throws. The future fails only if the outcome could not be published. */
    public CompletableFuture<Void> run(TrackedRecord tracked) {
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
        Optional<HandlerRegistry.Entry> handler = handlers.find(job.handler());
        if (handler.isEmpty()) {
            Instant now = clock.instant();
            ItemError error = new ItemError("UnknownHandler", "handler '" + job.handler()
                    + "' is not available on worker " + workerId + "; this worker has: " + handlers.names());
            return outcomes.failed(record, job, FailureReason.UNKNOWN_HANDLER, error, null, now, now, 0);
        }
        return execute(record, tracked.deliveryCount(), job, handler.get());
    }

    private CompletableFuture<Void> execute(ConsumerRecord<String, byte[]> record, int deliveryCount, JobRecord job,
            HandlerRegistry.Entry handler) {
        RetryPolicy retry = handler.spec().retry();
        Instant firstStart = null;
        long totalMs = 0;
        for (int attempt = job.attempt(); ; attempt++) {
            int thisAttempt = attempt;
            Instant[] started = new Instant[1];
            try {
                JsonNode output = limited(handler, laneOfTopic.apply(record.topic()), () -> {
                    Instant now = clock.instant();
                    if (job.isExpiredAt(now)) {
                        throw new Expired(now, job.expiresAt());
                    }
                    if (signals.isCancelled(job.batchId())) {
                        throw new Cancelled(signals.reason(job.batchId()));
                    }
                    started[0] = now;
                    metrics.started().mark();
                    Duration timeout = handler.spec().timeout();
                    Item item = new Item(job.payload(),
                            job.settings() == null ? JsonNodeFactory.instance.objectNode() : job.settings(),
                            new ItemContext(job.batchId(), job.itemId(), job.index(),
                                    job.total() == null ? -1 : job.total(), record.key(), thisAttempt, deliveryCount,
                                    job.traceId(), timeout == null ? Instant.MAX : now.plus(timeout), job.handler()));
                    return timed(handler, item);
                });
                Instant finished = clock.instant();
                observe(started[0], finished, false, false);
                firstStart = firstStart == null ? started[0] : firstStart;
                long durationMs = totalMs + millis(started[0], finished);
                metrics.latency().update(Duration.ofMillis(millis(started[0], finished)));
                metrics.succeeded().mark();
                return publisher.publish(new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(),
                        job.index(), ItemStatus.SUCCEEDED, null, null, output, attempt - job.attempt() + 1,
                        firstStart, finished, durationMs, workerId, false, job.traceId()));
            } catch (Cancelled cancelled) {
                return outcomes.cancelled(job, cancelled.getMessage());
            } catch (Expired expired) {
                Instant now = clock.instant();
                return outcomes.failed(record, job, FailureReason.EXPIRED, new ItemError("Expired", expired.getMessage()), null,
                        now, now, 0);
            } catch (Exception | LinkageError | AssertionError e) {
                if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                    return abandoned(job); // the worker is stopping: the item is not failed, it will be redelivered
                }
                Instant now = clock.instant();
                Instant start = started[0] == null ? now : started[0];
                firstStart = firstStart == null ? start : firstStart;
                totalMs += millis(start, now);
                if (started[0] != null) {
                    observe(start, now, true, e instanceof ThrottledException);
                }
                int attempts = attempt - job.attempt() + 1;
                boolean timedOut = e instanceof ItemTimeout;
                if (timedOut && handler.spec().onTimeout() == TimeoutPolicy.CANCEL) {
                    return outcomes.failed(record, job, ItemStatus.TIMED_OUT, FailureReason.TIMEOUT, ItemError.of(e), e,
                            firstStart, now, totalMs, attempts);
                }
                if (attempts >= retry.maximumAttempts() || !retry.retries(e)) {
                    FailureReason reason = attempts > 1 && retry.retries(e) ? FailureReason.RETRIES_EXHAUSTED
                            : timedOut ? FailureReason.TIMEOUT : FailureReason.HANDLER_ERROR;
                    return outcomes.failed(record, job, ItemStatus.FAILED, reason, ItemError.of(e), e, firstStart, now, totalMs,
                            attempts);
                }
                try {
                    sleeper.sleep(backoff(retry, attempts + 1, e));
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    return abandoned(job);
                }
            }
        }
    }

    /**
     * An item interrupted because the worker is stopping (after its drain timeout): it publishes nothing and its
     * offset stays unfinished, so it is not committed and is delivered again to the next owner. Recording it as
     * failed would let the aggregator count a failure for an item that never got its chance.
     */
    private CompletableFuture<Void> abandoned(JobRecord job) {
        Thread.currentThread().interrupt();
        log.info("item {}/{} interrupted by shutdown; it will be delivered again", job.batchId(), job.index());
        return new CompletableFuture<>();
    }

    /** The wait before the next attempt: the policy's backoff with +-20% jitter, or longer if the downstream asked. */
    private static Duration backoff(RetryPolicy retry, int next, Throwable error) {
        long base = retry.backoff(next).toMillis();
        long jittered = Math.round(base * (0.8 + 0.4 * java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
        long asked = error instanceof ThrottledException throttled
                ? throttled.retryAfter().map(Duration::toMillis).orElse(0L) : 0L;
        return Duration.ofMillis(Math.max(jittered, asked));
    }

    /**
     * Runs the handler, within its timeout if it has one. The handler runs on a child virtual thread; at the timeout
     * the child is interrupted and the item's slot is released at once, even if the handler ignores interruption (it
     * then runs on outside every limit, counted in {@code items.abandoned}).
     */
    private JsonNode timed(HandlerRegistry.Entry handler, Item item) throws Exception {
        Duration timeout = handler.spec().timeout();
        if (timeout == null) {
            return handler.handler().handle(item);
        }
        CompletableFuture<JsonNode> call = new CompletableFuture<>();
        Thread child = Thread.ofVirtual().name("fanout-handler-" + item.context().index()).start(() -> {
            try {
                call.complete(handler.handler().handle(item));
            } catch (Throwable error) {
                call.completeExceptionally(error);
            }
        });
        try {
            return call.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException late) {
            child.interrupt();
            if (child.isAlive() && !child.join(Duration.ofMillis(50))) {
                metrics.abandoned().inc();
            }
            throw new ItemTimeout(handler.name(), timeout);
        } catch (java.util.concurrent.ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw failed;
        } catch (InterruptedException stopping) {
            child.interrupt();
            throw stopping;
        }
    }

    /** An attempt ran past its handler's timeout. */
    static final class ItemTimeout extends Exception {
        ItemTimeout(String handler, Duration timeout) {
            super("handler " + handler + " ran past its timeout of " + timeout.toMillis() + " ms");
        }
    }

    /**
     * Runs the call through the item's limits, in the order that never holds a slot while waiting for another:
     * the handler's rate limiter, then its named bulkhead, then the lane gate and the worker's bulkhead.
     */
    private JsonNode limited(HandlerRegistry.Entry handler, Lane lane, Callable<JsonNode> call) throws Exception {
        Callable<JsonNode> inBulkhead = Bulkhead.decorateCallable(bulkhead, call);
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
        if (handler.rateLimiter() != null) {
            handler.rateLimiter().acquire();
        }
        return inNamed.call();
    }

    private void observe(Instant start, Instant end, boolean error, boolean throttled) {
        if (adaptive != null) {
            var metricsNow = bulkhead.getMetrics();
            int inUse = metricsNow.getMaxAllowedConcurrentCalls() - metricsNow.getAvailableConcurrentCalls() + 1;
            adaptive.record(Duration.between(start, end).toNanos() / 1_000, error, throttled, inUse);
        }
    }

    /** The item's batch was cancelled before the item started. */
    private static final class Cancelled extends Exception {
        Cancelled(String reason) {
            super(reason);
        }
    }

    /** The item's queue time ran out before a slot was free: it is not run. */
    private static final class Expired extends Exception {
        Expired(Instant now, Instant expiresAt) {
            super("the item waited past its expiry " + expiresAt + " (now " + now
                    + "); raise the batch's queue.timeout or add workers");
        }
    }

    private static long millis(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }
}
