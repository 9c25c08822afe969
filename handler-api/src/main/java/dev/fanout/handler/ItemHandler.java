package dev.fanout.handler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs one item. Implementations must be thread-safe: a worker calls one instance from many virtual threads at once.
 *
 * <p>Return the item's output (any JSON, or {@code null} for none). Throw {@link RetriableException} for a failure
 * that may pass on another attempt, {@link PermanentException} for one that never will; any other exception is a
 * handler error. Handlers should honour interruption: it is how a timeout or a shutdown stops them.
 */
@FunctionalInterface
public interface ItemHandler {

    JsonNode handle(Item item) throws Exception;
}
