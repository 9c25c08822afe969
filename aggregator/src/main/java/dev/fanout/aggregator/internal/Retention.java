package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.AggregatorMetrics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes decided batches' items from the item store once their retention period, counted from the latest revision
 * of the decision, has passed: from the wall-clock punctuator and in bounded chunks. One punctuation removes at most
 * {@code chunk} items, and a batch with more is finished by the next punctuations. The batch's own (small) state
 * stays, marked {@code itemsRemoved}; its cancel signal, if it had one, is withdrawn.
 */
final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final Deadlines expiries;
    private final ItemStore items;
    private final KeyValueStore<String, BatchState> batches;
    private final Decisions decisions;
    private final AggregatorMetrics metrics;
    private final Duration retention;
    private final int chunk;

    Retention(Deadlines expiries, ItemStore items, KeyValueStore<String, BatchState> batches, Decisions decisions,
            AggregatorMetrics metrics, Duration retention, int chunk) {
        this.expiries = expiries;
        this.items = items;
        this.batches = batches;
        this.decisions = decisions;
        this.metrics = metrics;
        this.retention = retention;
        this.chunk = chunk;
    }

    /**
     * Schedules the removal of a batch's items, {@code retention} after its latest decision.
     *
     * @param previous the decision time of the revision before, whose removal is put off; {@code null} for the first
     */
    void schedule(String batchId, Instant previous, Instant decidedAt) {
        if (previous != null) {
            expiries.unschedule(batchId, expiry(previous));
        }
        expiries.schedule(batchId, expiry(decidedAt));
    }

    private long expiry(Instant decidedAt) {
        return decidedAt.toEpochMilli() + Math.min(retention.toMillis(), Long.MAX_VALUE - decidedAt.toEpochMilli());
    }

    /** Removes up to {@code chunk} expired items, earliest-expiring batch first. */
    void expire(long nowMs) {
        int budget = chunk;
        for (Deadlines.Due due : expiries.due(nowMs, chunk)) {
            ItemStore.Removal removal = items.remove(due.batchId(), budget);
            budget -= removal.removed();
            metrics.itemsExpired().inc(removal.removed());
            if (removal.more()) {
                return;
            }
            expiries.remove(due);
            BatchState state = batches.get(due.batchId());
            if (state != null) {
                state.markItemsRemoved();
                if (state.cancelSent()) {
                    decisions.withdrawCancel(due.batchId(), nowMs);
                }
                batches.put(due.batchId(), state);
            }
            log.debug("batch {}: items removed after the retention period of {}", due.batchId(), retention);
            if (budget <= 0) {
                return;
            }
        }
    }
}
