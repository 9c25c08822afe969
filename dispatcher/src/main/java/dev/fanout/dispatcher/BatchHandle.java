package dev.fanout.dispatcher;

import dev.fanout.dispatcher.internal.BatchRun;
import dev.fanout.protocol.BatchResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A batch being dispatched: returned by {@link Dispatcher#dispatch} once the batch is registered, while its items are
 * published on a thread of their own. It follows the batch's results and decision until the decision arrives or it
 * is closed.
 *
 * <pre>{@code
 * try (BatchHandle batch = dispatcher.dispatch(spec, items)) {
 *     DispatchProgress now = batch.progress();                  // published, succeeded, failed, waiting for ...
 *     batch.pause("the payment service is down");                 // and later batch.resume(...), batch.cancel(...)
 *     BatchResult result = batch.result().get(1, TimeUnit.HOURS);
 * }
 * }</pre>
 */
public final class BatchHandle implements AutoCloseable {

    private final BatchRun run;
    private final BatchSignals signals;
    private final Runnable onClose;

    BatchHandle(BatchRun run, BatchSignals signals, Runnable onClose) {
        this.run = run;
        this.signals = signals;
        this.onClose = onClose;
    }

    public String batchId() {
        return run.batchId();
    }

    /** What has been published and finished so far. */
    public DispatchProgress progress() {
        return run.progress();
    }

    /**
     * Completes when every item is published and the batch is sealed (or, with an early decision, when publishing
     * stopped for it). Completes exceptionally with {@link InvalidItemException}, {@link DispatchRefusedException},
     * {@link DispatchException}, or {@link CancellationException} after {@link #stop()}.
     */
    public CompletableFuture<DispatchResult> published() {
        return run.published();
    }

    /** The batch's first decision, from the batch-results topic (an aggregator must be running). */
    public CompletableFuture<BatchResult> result() {
        return run.result();
    }

    /**
     * Waits until publishing is over.
     *
     * @throws InvalidItemException      a stream stopped at an invalid item
     * @throws DispatchRefusedException  the lane was full and the dispatch must not wait
     * @throws DispatchException         Kafka refused a record
     * @throws CancellationException     the dispatch was stopped or closed
     */
    public DispatchResult awaitPublished() {
        CompletableFuture<DispatchResult> published = run.published();
        Throwable error = published.handle((value, failure) -> failure).join();
        if (error != null) {
            throw unwrap(error);
        }
        return published.join();
    }

    /**
     * Waits for the decision.
     *
     * @return the decision, or empty if none arrived within {@code timeout}
     */
    public Optional<BatchResult> awaitResult(Duration timeout) throws InterruptedException {
        CompletableFuture<BatchResult> result = run.result();
        Throwable error;
        try {
            error = result.handle((value, failure) -> failure).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            error = e.getCause();
        }
        if (error != null) {
            throw unwrap(error);
        }
        return Optional.of(result.join());
    }

    /**
     * Sends the batch a pause signal: workers hold its items that have not started until it is resumed or cancelled.
     * Publishing goes on.
     */
    public SignalReceipt pause(String reason) {
        return signals.pause(batchId(), reason);
    }

    /** Sends the batch a resume signal after a pause. */
    public SignalReceipt resume(String reason) {
        return signals.resume(batchId(), reason);
    }

    /**
     * Sends the batch a cancel signal: workers record its items that have not started {@code CANCELLED}. Publishing
     * goes on (the rest is recorded cancelled too), so the batch still gets a decision; {@link #stop()} stops it.
     */
    public SignalReceipt cancel(String reason) {
        return signals.cancel(batchId(), reason);
    }

    /** Stops publishing at the next item: the batch stays unsealed, and a later dispatch with resume goes on. */
    public void stop() {
        run.stop();
    }

    /** Stops publishing (if it still runs) and following the results. */
    @Override
    public void close() {
        run.close();
        onClose.run();
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new DispatchException("dispatch failed: " + cause, cause);
    }
}
