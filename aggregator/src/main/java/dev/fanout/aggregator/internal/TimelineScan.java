package dev.fanout.aggregator.internal;

import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ResultsApi.Timeline;
import dev.fanout.protocol.ResultsApi.TimelineSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a batch's {@link Timeline} in one pass over its items: a bar for every item (every n-th beyond
 * {@code max}) and the summary over all of them. Times are stored as offsets from the batch's creation, so a bar is
 * seven numbers.
 */
final class TimelineScan {

    private final int stride;
    private final Instant origin;
    private final List<long[]> bars = new ArrayList<>();
    private final Map<String, Integer> workerIndex = new HashMap<>();
    private final List<String> workers = new ArrayList<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final TopErrors errors = new TopErrors();
    private final Map<FailureReason, Long> deadLetters = new EnumMap<>(FailureReason.class);
    private long items;
    private long sumItemMs;
    private long firstStart = Long.MAX_VALUE;
    private long lastFinish = Long.MIN_VALUE;

    /**
     * @param origin   the batch's creation, or {@code null} to count from the first item's queued or start time
     * @param expected how many items the batch has counted (for the stride)
     * @param max      the most bars wanted
     */
    TimelineScan(Instant origin, long expected, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        this.origin = origin;
        this.stride = (int) Math.max(1, (expected + max - 1) / max);
    }

    /** Adds one item. */
    void add(long index, ItemOutcome outcome) {
        items++;
        sumItemMs += outcome.durationMs();
        latency.record(outcome.durationMs());
        if (outcome.startedAt() != null) {
            firstStart = Math.min(firstStart, outcome.startedAt().toEpochMilli());
        }
        if (outcome.finishedAt() != null) {
            lastFinish = Math.max(lastFinish, outcome.finishedAt().toEpochMilli());
        }
        if (outcome.status() != ItemStatus.SUCCEEDED) {
            errors.record(outcome.countedErrorType(), outcome.errorMessage());
            if (outcome.deadLettered() && outcome.reason() != null) {
                deadLetters.merge(outcome.reason(), 1L, Long::sum);
            }
        }
        if ((items - 1) % stride == 0) {
            bars.add(new long[] {index, millis(outcome.queuedAt()), millis(outcome.startedAt()),
                    millis(outcome.finishedAt()), worker(outcome.workerId()), outcome.status().ordinal(),
                    outcome.attempts() == null ? 1 : outcome.attempts()});
        }
    }

    Timeline result(String batchId) {
        Instant from = origin();
        List<long[]> relative = new ArrayList<>(bars.size());
        long base = from == null ? 0 : from.toEpochMilli();
        for (long[] bar : bars) {
            long[] shifted = bar.clone();
            for (int i = 1; i <= 3; i++) {
                shifted[i] = bar[i] < 0 ? -1 : bar[i] - base;
            }
            relative.add(shifted);
        }
        long wallMs = lastFinish >= firstStart ? lastFinish - firstStart : 0;
        double speedup = wallMs > 0 ? Math.round(sumItemMs * 100.0 / wallMs) / 100.0 : 0;
        TimelineSummary summary = new TimelineSummary(latency.percentile(0.50), latency.percentile(0.95),
                latency.percentile(0.99), latency.percentile(1.0), sumItemMs, wallMs, speedup,
                errors.top(), deadLetters);
        return new Timeline(batchId, from, items, stride, workers, relative, summary);
    }

    private Instant origin() {
        if (origin != null) {
            return origin;
        }
        long earliest = Long.MAX_VALUE;
        for (long[] bar : bars) {
            for (int i = 1; i <= 2; i++) {
                if (bar[i] >= 0) {
                    earliest = Math.min(earliest, bar[i]);
                }
            }
        }
        return earliest == Long.MAX_VALUE ? null : Instant.ofEpochMilli(earliest);
    }

    private int worker(String id) {
        if (id == null) {
            return -1;
        }
        return workerIndex.computeIfAbsent(id, w -> {
            workers.add(w);
            return workers.size() - 1;
        });
    }

    private static long millis(Instant at) {
        return at == null ? -1 : at.toEpochMilli();
    }
}
