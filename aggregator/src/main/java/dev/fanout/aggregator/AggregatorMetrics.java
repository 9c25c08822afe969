package dev.fanout.aggregator;

import com.codahale.metrics.Timer;
import dev.fanout.ops.BucketHistogram;
import dev.fanout.protocol.BatchStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.Objects;

/**
 * The aggregator's Dropwizard metrics. Every instance on one registry shares them (the registry returns the existing
 * metric for a name); they are thread-safe, so every stream thread updates them directly.
 */
public final class AggregatorMetrics {

    /** Item results read (valid envelopes, duplicates included). */
    public static final String RESULTS = "aggregator.results";
    /**
     * Item results ignored: the same (batchId, index) was already counted (a replay of an item that succeeded
     * included), the batch's items were removed after the retention period, or a replay matches no item.
     */
    public static final String DUPLICATES = "aggregator.duplicates";
    /** Replay results that changed an item's counted outcome (unsuccessful to succeeded, or a first count). */
    public static final String REPLAYS = "aggregator.replays";
    /** Late supplements of timed-out items attached to their stored outcome. */
    public static final String LATE_RESULTS = "aggregator.results.late";
    /** Batches decided (one per batch and revision). */
    public static final String BATCHES_DECIDED = "aggregator.batches.decided";
    /**
     * Batches whose decision became settled: every item accounted for (at the first decision, or by a later revision
     * after an early decision).
     */
    public static final String BATCHES_SETTLED = "aggregator.batches.settled";
    /** Records restored into the state stores from their changelogs (none when the state directory is up to date). */
    public static final String RESTORED_RECORDS = "aggregator.restored.records";
    /** Records on the results or batches topic that were not valid envelopes, sent to the dead-letter topic. */
    public static final String POISON = "aggregator.poison";
    /** Cancel signals published for batches decided before all their items ran. */
    public static final String CANCELS = "aggregator.cancels";
    /** Chained events published to {@code onSuccess}/{@code onError} targets. */
    public static final String CHAIN_EVENTS = "aggregator.chain.events";
    /** Chained events not published: their topic could not be created, or the event was too large. */
    public static final String CHAIN_FAILURES = "aggregator.chain.failures";
    /** Compensation jobs published: one per succeeded item of a batch decided FAILED or CANCELLED under compensate. */
    public static final String COMPENSATIONS = "aggregator.compensations";
    /** Items removed from the item store after their batch's retention period. */
    public static final String ITEMS_EXPIRED = "aggregator.items.expired";

    /** First decisions by status: {@code aggregator.decisions.<status>}, e.g. {@code aggregator.decisions.failed}. */
    public static final String DECISIONS = "aggregator.decisions";
    /** From a batch's registration to its first decision. */
    public static final String DECISION_LATENCY = "aggregator.decision.latency";
    /**
     * Speed-up of each batch at its first decision (sum of item time / wall time, as in the decision record), a
     * {@link BucketHistogram} over {@link BucketHistogram#RATIO}; batches in which no item ran are not observed.
     */
    public static final String BATCH_SPEEDUP = "aggregator.batch.speedup";

    private final MetricRegistry registry;
    private final Timer decisionLatency;
    private final BucketHistogram batchSpeedup;
    private final Map<BatchStatus, Meter> decisions = new ConcurrentHashMap<>();
    private final Meter results;
    private final Counter duplicates;
    private final Counter replays;
    private final Counter lateResults;
    private final Counter batchesDecided;
    private final Counter batchesSettled;
    private final Counter restoredRecords;
    private final Counter poison;
    private final Counter cancels;
    private final Counter chainEvents;
    private final Counter chainFailures;
    private final Counter itemsExpired;
    private final Counter compensations;

    private AggregatorMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.decisionLatency = registry.timer(DECISION_LATENCY);
        this.batchSpeedup = BucketHistogram.in(registry, BATCH_SPEEDUP, BucketHistogram.RATIO);
        this.results = registry.meter(RESULTS);
        this.duplicates = registry.counter(DUPLICATES);
        this.replays = registry.counter(REPLAYS);
        this.lateResults = registry.counter(LATE_RESULTS);
        this.batchesDecided = registry.counter(BATCHES_DECIDED);
        this.batchesSettled = registry.counter(BATCHES_SETTLED);
        this.restoredRecords = registry.counter(RESTORED_RECORDS);
        this.poison = registry.counter(POISON);
        this.cancels = registry.counter(CANCELS);
        this.chainEvents = registry.counter(CHAIN_EVENTS);
        this.chainFailures = registry.counter(CHAIN_FAILURES);
        this.itemsExpired = registry.counter(ITEMS_EXPIRED);
        this.compensations = registry.counter(COMPENSATIONS);
    }

    /** Registers (or finds) the aggregator's metrics in a registry. */
    public static AggregatorMetrics of(MetricRegistry registry) {
        return new AggregatorMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * A batch got its first decision, {@code latency} after it was registered, with this speed-up (0 when no item
     * ran: not observed).
     */
    public void decided(BatchStatus status, Duration latency, double speedup) {
        decisions.computeIfAbsent(status, key -> registry.meter(DECISIONS + "."
                + key.name().toLowerCase(java.util.Locale.ROOT))).mark();
        if (!latency.isNegative()) {
            decisionLatency.update(latency);
        }
        if (speedup > 0) {
            batchSpeedup.update(speedup);
        }
    }

    /** Speed-up of the batches at their first decision. */
    public BucketHistogram batchSpeedup() {
        return batchSpeedup;
    }

    public Meter results() {
        return results;
    }

    public Counter duplicates() {
        return duplicates;
    }

    public Counter replays() {
        return replays;
    }

    public Counter lateResults() {
        return lateResults;
    }

    public Counter batchesDecided() {
        return batchesDecided;
    }

    public Counter batchesSettled() {
        return batchesSettled;
    }

    public Counter restoredRecords() {
        return restoredRecords;
    }

    public Counter poison() {
        return poison;
    }

    public Counter cancels() {
        return cancels;
    }

    public Counter chainEvents() {
        return chainEvents;
    }

    public Counter chainFailures() {
        return chainFailures;
    }

    public Counter itemsExpired() {
        return itemsExpired;
    }

    public Counter compensations() {
        return compensations;
    }
}
