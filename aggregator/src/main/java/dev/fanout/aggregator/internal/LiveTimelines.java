package dev.fanout.aggregator.internal;

import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.Timeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The timelines of the batches someone is watching, kept up to date as their items are counted, so that fetching a
 * timeline costs what it returns rather than a scan of the batch's items. The first fetch of a batch's timeline scans
 * its items once; from then on the processor adds each item it counts for the first time. Anything else that changes
 * a stored outcome (a replay, a late supplement, a compensation mark, the items' removal, an index counted twice)
 * drops the batch's timeline, and so does closing a processor (a rebalance, a restart): the next fetch scans again.
 *
 * <p>Memory stays bounded: at most {@code capacity} timelines, the least recently fetched dropped first, one not
 * fetched for {@link #IDLE} dropped, each at most {@link ResultsApi#TIMELINE_MAX} bars. A fetch with another
 * {@code max} is answered by a scan, as before. Thread-safe: stream threads count, HTTP threads fetch.
 */
public final class LiveTimelines {

    /** How many batches' timelines are kept up to date at most. */
    public static final int DEFAULT_CAPACITY = 8;
    /** A timeline not fetched for this long is dropped. */
    public static final Duration IDLE = Duration.ofMinutes(10);
    /** Items counted while a timeline's first scan runs are held until it ends; beyond this many it is dropped. */
    static final int MAX_PENDING = 100_000;

    private static final LiveTimelines OFF = new LiveTimelines(0, System::nanoTime);

    private final int capacity;
    private final LongSupplier nanos;
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    LiveTimelines(int capacity, LongSupplier nanos) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
        this.nanos = Objects.requireNonNull(nanos, "nanos");
    }

    /** Keeps up to {@code capacity} timelines up to date. */
    public static LiveTimelines of(int capacity) {
        return new LiveTimelines(capacity, System::nanoTime);
    }

    /** Keeps none: every fetch scans. */
    public static LiveTimelines off() {
        return OFF;
    }

    /** How many timelines are kept now. */
    public int size() {
        return live.size();
    }

    /** The processor counted an item for the first time (stored as {@code outcome}). */
    void counted(String batchId, long index, ItemOutcome outcome) {
        Live timeline = live.get(batchId);
        if (timeline != null && !timeline.counted(index, outcome)) {
            changed(batchId);
        }
    }

    /** A stored outcome of the batch changed or went: its timeline, if kept, is dropped. */
    void changed(String batchId) {
        Live timeline = live.remove(batchId);
        if (timeline != null) {
            timeline.drop();
        }
    }

    /** Drops every timeline: a processor closed, so the stores it fed may move or roll back. */
    public void forgetAll() {
        for (String batchId : List.copyOf(live.keySet())) {
            changed(batchId);
        }
    }

    /**
     * A batch's timeline: from the timeline kept up to date when there is one, else from a scan ({@code scan} adds
     * every stored item of the batch to the builder it is given), which is then kept up to date if {@code max} is
     * the default.
     *
     * @param origin   the batch's creation, or {@code null} when unknown
     * @param expected how many items the batch has, as far as known (for the stride)
     * @param since    the cursor of the caller's previous answer, or {@code null}
     */
    Timeline answer(String batchId, Instant origin, long expected, int max, String since,
            Consumer<TimelineBuilder> scan) {
        if (capacity == 0 || max != ResultsApi.TIMELINE_MAX) {
            return scanned(batchId, origin, expected, max, since, scan);
        }
        long now = nanos.getAsLong();
        expire(now);
        Live existing = live.get(batchId);
        if (existing != null) {
            Timeline kept = existing.result(batchId, origin, since, now);
            if (kept != null) {
                return kept;
            }
            return scanned(batchId, origin, expected, max, since, scan); // another fetch is building it
        }
        Live fresh = new Live(now);
        if (live.putIfAbsent(batchId, fresh) != null) {
            return scanned(batchId, origin, expected, max, since, scan);
        }
        evictBeyondCapacity(batchId);
        TimelineBuilder builder = new TimelineBuilder(expected, max);
        try {
            scan.accept(builder);
        } catch (RuntimeException e) {
            changed(batchId);
            throw e;
        }
        Timeline answer = fresh.ready(builder, batchId, origin, since);
        return answer != null ? answer : builder.result(batchId, origin, since);
    }

    private static Timeline scanned(String batchId, Instant origin, long expected, int max, String since,
            Consumer<TimelineBuilder> scan) {
        TimelineBuilder builder = new TimelineBuilder(expected, max);
        scan.accept(builder);
        return builder.result(batchId, origin, since);
    }

    private void expire(long now) {
        live.forEach((batchId, timeline) -> {
            if (now - timeline.fetchedAt > IDLE.toNanos()) {
                changed(batchId);
            }
        });
    }

    private void evictBeyondCapacity(String keep) {
        while (live.size() > capacity) {
            live.entrySet().stream().filter(entry -> !entry.getKey().equals(keep))
                    .min(Comparator.comparingLong(entry -> entry.getValue().fetchedAt))
                    .ifPresentOrElse(entry -> changed(entry.getKey()), () -> changed(keep));
        }
    }

    /** One batch's timeline: being built by its first scan (items counted meanwhile pending), then kept. */
    private static final class Live {

        private TimelineBuilder builder;
        private List<Object[]> pending = new ArrayList<>();
        private boolean dropped;
        private volatile long fetchedAt;

        Live(long now) {
            this.fetchedAt = now;
        }

        /** Returns false when the index was counted before (the timeline must go). */
        synchronized boolean counted(long index, ItemOutcome outcome) {
            if (dropped) {
                return true;
            }
            if (builder != null) {
                return builder.add(index, outcome);
            }
            if (pending.size() >= MAX_PENDING) {
                return false;
            }
            pending.add(new Object[] {index, outcome});
            return true;
        }

        synchronized void drop() {
            dropped = true;
            builder = null;
            pending = null;
        }

        /**
         * Takes the first scan's builder, with the items counted during the scan that it did not see; answers from
         * it, or returns {@code null} when the timeline was dropped meanwhile.
         */
        synchronized Timeline ready(TimelineBuilder scanned, String batchId, Instant origin, String since) {
            if (dropped) {
                return null;
            }
            for (Object[] item : pending) {
                scanned.add((Long) item[0], (ItemOutcome) item[1]); // an item the scan saw too is taken once
            }
            pending = null;
            builder = scanned;
            return builder.result(batchId, origin, since);
        }

        /** The timeline now, or {@code null} while its first scan runs or once dropped. */
        synchronized Timeline result(String batchId, Instant origin, String since, long now) {
            if (builder == null) {
                return null;
            }
            fetchedAt = now;
            return builder.result(batchId, origin, since);
        }
    }
}
