package dev.fanout.worker.internal;

import dev.fanout.worker.Concurrency;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * Adaptive concurrency ({@code maxConcurrency: auto}): finds how many items at once a downstream can take.
 *
 * <p>Completions are grouped in windows of {@code max(10, limit / 2)} items. For each window it compares the mean
 * handler latency with a baseline: the lowest window mean of the last {@value #BASELINE_WINDOWS} windows. (A
 * downstream that is slower for good becomes the new baseline once its old, faster windows have aged out.)
 * <ul>
 *   <li>overload (a {@code ThrottledException} such as an HTTP 429, more than 10% errors, or latency above 1.5
 *       times the baseline): the limit shrinks to 65% of itself, down to {@code min};</li>
 *   <li>otherwise, if the window used at least 80% of the limit (there is demand): the limit grows by a tenth
 *       (at least 1), up to {@code max};</li>
 *   <li>otherwise it stays: no demand, no evidence.</li>
 * </ul>
 * So the limit climbs while latency stays flat and settles around the load where the downstream slows down. The
 * shrink factor times the tolerance is below 1 (0.65 x 1.5), so the cycle does not ratchet upwards when latency
 * grows linearly or faster with load. Thread-safe.
 */
public final class AdaptiveLimit {

    static final double TOLERANCE = 1.5;
    static final double DECREASE = 0.65;
    static final int BASELINE_WINDOWS = 200;
    static final double ERROR_RATE = 0.10;
    static final double DEMAND = 0.8;

    private final int min;
    private final int max;
    private final IntConsumer apply;
    private int limit;
    private final ArrayDeque<Double> recentMeans = new ArrayDeque<>();
    private int samples;
    private long latencySum;
    private int errors;
    private boolean throttled;
    private int maxInUse;

    /**
     * @param apply told of every new limit (e.g. to resize the worker's bulkhead)
     */
    public AdaptiveLimit(Concurrency concurrency, IntConsumer apply) {
        this.min = concurrency.min();
        this.max = concurrency.max();
        this.limit = concurrency.initial();
        this.apply = apply;
    }

    /**
     * Records one finished item.
     *
     * @param latencyMicros its handler time
     * @param inUse         items running when it finished (itself included)
     */
    public synchronized void record(long latencyMicros, boolean error, boolean wasThrottled, int inUse) {
        samples++;
        latencySum += latencyMicros;
        if (error) {
            errors++;
        }
        throttled |= wasThrottled;
        maxInUse = Math.max(maxInUse, inUse);
        if (samples >= Math.max(10, limit / 2)) {
            evaluate();
        }
    }

    public synchronized int limit() {
        return limit;
    }

    private void evaluate() {
        double mean = (double) latencySum / samples;
        recentMeans.addLast(mean);
        if (recentMeans.size() > BASELINE_WINDOWS) {
            recentMeans.removeFirst();
        }
        double baseline = recentMeans.stream().mapToDouble(Double::doubleValue).min().orElse(mean);
        boolean overloaded = throttled || errors > samples * ERROR_RATE || mean > baseline * TOLERANCE;
        int next = limit;
        if (overloaded) {
            next = Math.max(min, (int) (limit * DECREASE));
        } else if (maxInUse >= limit * DEMAND) {
            next = Math.min(max, limit + Math.max(1, limit / 10));
        }
        samples = 0;
        latencySum = 0;
        errors = 0;
        throttled = false;
        maxInUse = 0;
        if (next != limit) {
            limit = next;
            apply.accept(next);
        }
    }
}
