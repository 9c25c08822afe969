package dev.fanout.aggregator;

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
    /** Item results ignored because the same (batchId, index) was already counted. */
    public static final String DUPLICATES = "aggregator.duplicates";
    /** Batches decided (one per batch and revision). */
    public static final String BATCHES_DECIDED = "aggregator.batches.decided";
    /** Records on the results or batches topic that were not valid envelopes, sent to the dead-letter topic. */
    public static final String POISON = "aggregator.poison";

    private final Meter results;
    private final Counter duplicates;
    private final Counter batchesDecided;
    private final Counter poison;

    private AggregatorMetrics(MetricRegistry registry) {
        this.results = registry.meter(RESULTS);
        this.duplicates = registry.counter(DUPLICATES);
        this.batchesDecided = registry.counter(BATCHES_DECIDED);
        this.poison = registry.counter(POISON);
    }

    /** Registers (or finds) the aggregator's metrics in a registry. */
    public static AggregatorMetrics of(MetricRegistry registry) {
        return new AggregatorMetrics(Objects.requireNonNull(registry, "registry"));
    }

    public Meter results() {
        return results;
    }

    public Counter duplicates() {
        return duplicates;
    }

    public Counter batchesDecided() {
        return batchesDecided;
    }

    public Counter poison() {
        return poison;
    }
}
