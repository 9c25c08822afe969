package dev.fanout.aggregator.internal;

import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ResultsApi.Timeline;
import dev.fanout.protocol.ResultsApi.TimelineSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a batch's {@link Timeline} item by item, in any order: a bar for every item whose index is a multiple of
 * the stride (the stride doubles whenever the bars would exceed {@code max}), and the summary over all items. Each
 * index is taken once. Bars are kept in the order they were added, as absolute times, and shifted to offsets from
 * the batch's creation when answered, so a bar is seven numbers.
 *
 * <p>An answer carries a cursor ({@code <token>.<bars>.<origin>}); given back, it makes the next answer carry only
 * the bars added since, as long as the bars were not resampled and the origin did not move. Not thread-safe.
 */
final class TimelineBuilder {

    private static final int FIELDS = 7;

    private final int max;
    private int stride;
    private long[] bars = new long[FIELDS * 64];
    private int barCount;
    private long token = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final BitSet seen = new BitSet();
    private final Set<Long> seenBeyond = new HashSet<>();
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
     * @param expected how many items the batch has (or has counted so far), for the first stride
     * @param max      the most bars wanted
     */
    TimelineBuilder(long expected, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        this.max = max;
        this.stride = (int) Math.max(1, (expected + max - 1) / max);
    }

    /** Whether the item at {@code index} was added. */
    boolean has(long index) {
        return index >= 0 && index <= Integer.MAX_VALUE ? seen.get((int) index) : seenBeyond.contains(index);
    }

    /** Adds one item; returns false (and changes nothing) when its index was added before. */
    boolean add(long index, ItemOutcome outcome) {
        if (has(index)) {
            return false;
        }
        if (index >= 0 && index <= Integer.MAX_VALUE) {
            seen.set((int) index);
        } else {
            seenBeyond.add(index);
        }
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
        if (index % stride == 0) {
            append(index, outcome);
            while (barCount > max) {
                resample();
            }
        }
        return true;
    }

    /** The timeline so far, all its bars. */
    Timeline result(String batchId, Instant origin) {
        return result(batchId, origin, null);
    }

    /**
     * The timeline so far.
     *
     * @param origin the batch's creation, or {@code null} to count from the earliest queued or start time
     * @param since  the cursor of an earlier answer of this builder: then only the bars added since; {@code null}, or
     *               a cursor that no longer fits, for all of them
     */
    Timeline result(String batchId, Instant origin, String since) {
        Instant from = origin != null ? origin : earliest();
        long base = from == null ? 0 : from.toEpochMilli();
        int matched = since == null ? -1 : firstNewBar(since, base);
        int first = Math.max(0, matched);
        List<long[]> relative = new ArrayList<>(barCount - first);
        for (int bar = first; bar < barCount; bar++) {
            long[] shifted = Arrays.copyOfRange(bars, bar * FIELDS, bar * FIELDS + FIELDS);
            for (int i = 1; i <= 3; i++) {
                shifted[i] = shifted[i] < 0 ? -1 : shifted[i] - base;
            }
            relative.add(shifted);
        }
        long wallMs = lastFinish >= firstStart ? lastFinish - firstStart : 0;
        double speedup = wallMs > 0 ? Math.round(sumItemMs * 100.0 / wallMs) / 100.0 : 0;
        TimelineSummary summary = new TimelineSummary(latency.percentile(0.50), latency.percentile(0.95),
                latency.percentile(0.99), latency.percentile(1.0), sumItemMs, wallMs, speedup,
                errors.top(), deadLetters);
        return new Timeline(batchId, from, items, stride, workers, relative, summary,
                token + "." + barCount + "." + base, matched >= 0);
    }

    /** The first bar a client holding {@code since} lacks, or -1 when the cursor does not fit this builder now. */
    private int firstNewBar(String since, long base) {
        String[] parts = since.split("\\.", -1);
        if (parts.length != 3) {
            return -1;
        }
        try {
            long sinceToken = Long.parseLong(parts[0]);
            int sinceBars = Integer.parseInt(parts[1]);
            long sinceBase = Long.parseLong(parts[2]);
            return sinceToken == token && sinceBase == base && sinceBars >= 0 && sinceBars <= barCount ? sinceBars : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void append(long index, ItemOutcome outcome) {
        if ((barCount + 1) * FIELDS > bars.length) {
            bars = Arrays.copyOf(bars, bars.length * 2);
        }
        int at = barCount * FIELDS;
        bars[at] = index;
        bars[at + 1] = millis(outcome.queuedAt());
        bars[at + 2] = millis(outcome.startedAt());
        bars[at + 3] = millis(outcome.finishedAt());
        bars[at + 4] = worker(outcome.workerId());
        bars[at + 5] = outcome.status().ordinal();
        bars[at + 6] = outcome.attempts() == null ? 1 : outcome.attempts();
        barCount++;
    }

    /** Doubles the stride and keeps the bars it still draws; earlier cursors no longer fit. */
    private void resample() {
        stride *= 2;
        int kept = 0;
        for (int bar = 0; bar < barCount; bar++) {
            if (bars[bar * FIELDS] % stride == 0) {
                System.arraycopy(bars, bar * FIELDS, bars, kept * FIELDS, FIELDS);
                kept++;
            }
        }
        barCount = kept;
        token = (token + 1) & Long.MAX_VALUE;
    }

    private Instant earliest() {
        long earliest = Long.MAX_VALUE;
        for (int bar = 0; bar < barCount; bar++) {
            for (int i = 1; i <= 2; i++) {
                long at = bars[bar * FIELDS + i];
                if (at >= 0) {
                    earliest = Math.min(earliest, at);
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
