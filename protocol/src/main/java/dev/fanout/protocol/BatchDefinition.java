package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * A batch's registration on the batches topic, keyed by {@code batchId}. Published before the first item (with
 * {@code total} when it is known) and again, {@code sealed}, when the dispatcher has published every item. The
 * aggregator keeps the latest one; a batch is decided by count only once it is sealed.
 *
 * @param total    the number of items, or {@code null} while items are still streaming in
 * @param sealed   every item has been published; {@code total} is final
 * @param lane     the jobs lane its items go to
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchDefinition(
        int schemaVersion,
        String batchId,
        String handler,
        Long total,
        boolean sealed,
        BatchPolicy policy,
        Lane lane,
        Instant createdAt) implements Envelopes.Versioned {

    public BatchDefinition {
        Envelopes.require(batchId, "batchId");
        Envelopes.require(handler, "handler");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(createdAt, "createdAt");
        if (total != null && total < 0) {
            throw new IllegalArgumentException("total must be >= 0, was " + total);
        }
        if (sealed && total == null) {
            throw new IllegalArgumentException("a sealed batch needs its total");
        }
    }

    /** The same definition, sealed with its final total. */
    public BatchDefinition seal(long finalTotal) {
        return new BatchDefinition(schemaVersion, batchId, handler, finalTotal, true, policy, lane, createdAt);
    }
}
