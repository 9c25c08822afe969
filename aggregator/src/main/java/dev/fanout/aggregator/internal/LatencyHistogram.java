package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A fixed-size, log-scale histogram of item latencies in milliseconds. Bucket {@code i >= 1} holds
 * {@code [1.1^(i-1), 1.1^i)}, so a percentile read from the bucket's geometric middle is within 5% of the true value;
 * results are clamped to the smallest and largest values seen, and the 100th percentile is the largest exactly. Bucket 0 holds 0 ms; the last bucket holds everything
 * above about 90 days. Stored sparsely, so a batch whose items all take about the same time stays tiny.
 */
public final class LatencyHistogram {

    /** Buckets in all: enough for 1.1^239 ms, about 90 days. */
    public static final int BUCKETS = 240;
    private static final double GROWTH = 1.1;
    private static final double LOG_GROWTH = Math.log(GROWTH);

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    public LatencyHistogram() {
    }

    @JsonCreator
    LatencyHistogram(@JsonProperty("buckets") Map<Integer, Long> buckets, @JsonProperty("min") long min,
            @JsonProperty("max") long max) {
        Objects.requireNonNullElse(buckets, Map.<Integer, Long>of()).forEach((index, n) -> {
            if (index < 0 || index >= BUCKETS || n == null || n < 0) {
                throw new IllegalArgumentException("histogram bucket " + index + " must be in [0, " + BUCKETS
                        + ") with a count >= 0, was " + n);
            }
            counts[index] = n;
            count += n;
        });
        this.min = count == 0 ? Long.MAX_VALUE : min;
        this.max = count == 0 ? Long.MIN_VALUE : max;
    }

    /** Records one latency; negative values count as 0. */
    public void record(long millis) {
        long value = Math.max(0, millis);
        counts[bucketOf(value)]++;
        count++;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    /**
     * The value below which {@code percentile} of the recorded latencies fall, within 5%.
     *
     * @param percentile in (0, 1], e.g. 0.95
     * @return the estimate, or 0 when nothing was recorded
     */
    public long percentile(double percentile) {
        if (!(percentile > 0 && percentile <= 1)) {
            throw new IllegalArgumentException("percentile must be in (0, 1], was " + percentile);
        }
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile * count));
        if (rank >= count) {
            return max;
        }
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.clamp(representative(i), min, max);
            }
        }
        return max;
    }

    /** Latencies recorded. */
    public long count() {
        return count;
    }

    @JsonProperty("buckets")
    Map<Integer, Long> buckets() {
        Map<Integer, Long> sparse = new TreeMap<>();
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] > 0) {
                sparse.put(i, counts[i]);
            }
        }
        return sparse;
    }

    @JsonProperty("min")
    long min() {
        return count == 0 ? 0 : min;
    }

    @JsonProperty("max")
    long max() {
        return count == 0 ? 0 : max;
    }

    static int bucketOf(long value) {
        if (value <= 0) {
            return 0;
        }
        int index = 1 + (int) Math.floor(Math.log(value) / LOG_GROWTH);
        return Math.min(index, BUCKETS - 1);
    }

    private static long representative(int bucket) {
        return bucket == 0 ? 0 : Math.round(Math.pow(GROWTH, bucket - 0.5));
    }
}
