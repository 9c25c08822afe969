package dev.fanout.ops;

import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard-registrable distribution with fixed bucket upper bounds, exported as a Prometheus classic histogram
 * ({@code _bucket{le=...}}, {@code _sum}, {@code _count}) so that series of many workers add up, unlike the
 * per-instance quantiles of a Dropwizard timer's summary. Lock-free: one {@link LongAdder} per bucket and a sum.
 */
public final class BucketHistogram implements Metric {

    /** Upper bounds for durations in seconds: 5 ms to 5 minutes. */
    public static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    /** Upper bounds for a ratio such as a batch's speed-up: 1 to 1024, doubling. */
    public static final double[] RATIO = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final double[] upperBounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    /** A histogram with these finite, increasing upper bounds (the {@code +Inf} bucket is implied). */
    public BucketHistogram(double... upperBounds) {
        if (upperBounds.length == 0) {
            throw new IllegalArgumentException("upperBounds: at least one bound needed");
        }
        for (int i = 0; i < upperBounds.length; i++) {
            if (!Double.isFinite(upperBounds[i]) || i > 0 && upperBounds[i] <= upperBounds[i - 1]) {
                throw new IllegalArgumentException("upperBounds: must be finite and increasing, got "
                        + Arrays.toString(upperBounds));
            }
        }
        this.upperBounds = upperBounds.clone();
        this.counts = new LongAdder[upperBounds.length + 1];
        Arrays.setAll(counts, i -> new LongAdder());
    }

    /** The histogram registered under {@code name}, registering a new one with these bounds if there is none. */
    public static BucketHistogram in(MetricRegistry registry, String name, double... upperBounds) {
        Metric existing = registry.getMetrics().get(name);
        if (existing == null) {
            try {
                return registry.register(name, new BucketHistogram(upperBounds));
            } catch (IllegalArgumentException registeredMeanwhile) {
                existing = registry.getMetrics().get(name);
            }
        }
        if (existing instanceof BucketHistogram histogram) {
            return histogram;
        }
        throw new IllegalArgumentException(name + " is already registered as a " + existing.getClass().getName());
    }

    /** Records one observation: it counts in the first bucket whose upper bound is at least the value. */
    public void update(double value) {
        int found = Arrays.binarySearch(upperBounds, value);
        counts[found >= 0 ? found : -found - 1].increment();
        sum.add(value);
    }

    /** The finite upper bounds, increasing. */
    public double[] upperBounds() {
        return upperBounds.clone();
    }

    /**
     * The observations per bucket, not cumulative: one entry per upper bound and a last one for {@code +Inf}.
     * Read bucket by bucket while updates go on, so it is a close, not an atomic, snapshot.
     */
    public long[] bucketCounts() {
        long[] snapshot = new long[counts.length];
        Arrays.setAll(snapshot, i -> counts[i].sum());
        return snapshot;
    }

    /** The sum of the observed values. */
    public double sum() {
        return sum.sum();
    }
}
