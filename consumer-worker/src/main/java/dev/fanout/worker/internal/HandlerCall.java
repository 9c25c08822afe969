package dev.fanout.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.handler.Item;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.WorkerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attempt of a handler, within its timeout if it has one. With a timeout the handler runs on a child virtual
 * thread; at the timeout the attempt ends at once and its slot is released, whatever the handler does:
 * <ul>
 *   <li>{@code error}, {@code cancel}: the child is interrupted; one that ignores interruption runs on outside every
 *       limit, counted in {@code items.abandoned}, and its result is dropped;</li>
 *   <li>{@code continue}: the child is left to finish; {@link ItemTimeout#lateOutcome()} completes with what it
 *       returns, to be attached to the item's record ({@code items.continued} counts these).</li>
 * </ul>
 * The timeout runs on the worker's clock, re-read at least every {@value RetryWaits#RECHECK_MILLIS} ms, so an injected
 * clock that jumps ahead times the attempt out.
 */
final class HandlerCall {

    private final WorkerMetrics metrics;
    private final InstantSource clock;

    HandlerCall(WorkerMetrics metrics, InstantSource clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    JsonNode run(HandlerRegistry.Entry handler, Item item, Duration timeout, TimeoutPolicy onTimeout)
            throws Exception {
        if (timeout == null) {
            return handler.handler().handle(item);
        }
        // the deadline is set before the handler starts: the timeout counts from the call, whatever the scheduling
        Instant deadline = clock.instant().plus(timeout);
        CompletableFuture<JsonNode> call = new CompletableFuture<>();
        Thread child = Thread.ofVirtual().name("fanout-handler-" + item.context().index()).start(() -> {
            try {
                call.complete(handler.handler().handle(item));
            } catch (Throwable error) {
                call.completeExceptionally(error);
            }
        });
        try {
            return await(call, deadline);
        } catch (TimeoutException late) {
            if (onTimeout == TimeoutPolicy.CONTINUE) {
                metrics.continued().inc();
                throw new ItemTimeout(handler.name(), timeout, call);
            }
            child.interrupt();
            if (child.isAlive() && !child.join(Duration.ofMillis(50))) {
                metrics.abandoned().inc();
            }
            throw new ItemTimeout(handler.name(), timeout, null);
        } catch (ExecutionException failed) {
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

    /** The call's outcome, or a {@link TimeoutException} once the worker's clock reaches the deadline. */
    private JsonNode await(CompletableFuture<JsonNode> call, Instant deadline)
            throws ExecutionException, InterruptedException, TimeoutException {
        while (true) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isZero() || left.isNegative()) {
                if (call.isDone()) {
                    return call.get(); // finished just in time
                }
                throw new TimeoutException();
            }
            try {
                return call.get(Math.min(left.toMillis() + 1, RetryWaits.RECHECK_MILLIS), TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                // the clock is read again: it may have moved more than the wall clock
            }
        }
    }

    /** An attempt ran past its timeout. */
    static final class ItemTimeout extends Exception {

        private final transient CompletableFuture<JsonNode> lateOutcome;

        ItemTimeout(String handler, Duration timeout, CompletableFuture<JsonNode> lateOutcome) {
            super("handler " + handler + " ran past its timeout of " + timeout.toMillis() + " ms");
            this.lateOutcome = lateOutcome;
        }

        /** Under {@code onTimeout: continue}, what the handler still running will return; else {@code null}. */
        CompletableFuture<JsonNode> lateOutcome() {
            return lateOutcome;
        }
    }
}
