package dev.fanout.handler;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where an item stands: its batch, position, key, attempt and deadline.
 *
 * @param batchId       the batch
 * @param itemId        the user's id, or the index as text
 * @param index         0-based position in the batch
 * @param total         the batch size, or -1 while the batch is still streaming in (see {@link #knownTotal()})
 * @param key           the record key (ordering key), or {@code null}
 * @param attempt       1 on the first attempt
 * @param deliveryCount how many times this record has been delivered to a worker (more than 1 after a crash or a
 *                      rebalance before its result was recorded)
 * @param traceId       the item's trace id
 * @param deadline      when the item's time is up (its timeout), or {@link Instant#MAX} for none
 * @param handler       the handler name the item was dispatched to
 */
public record ItemContext(
        String batchId,
        String itemId,
        long index,
        long total,
        String key,
        int attempt,
        int deliveryCount,
        String traceId,
        Instant deadline,
        String handler) {

    public ItemContext {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(handler, "handler");
    }

    public OptionalLong knownTotal() {
        return total < 0 ? OptionalLong.empty() : OptionalLong.of(total);
    }
}
