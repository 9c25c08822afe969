package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.aggregator.Fixtures;
import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.Timeline;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The timelines kept up to date as items are counted: one scan per watched batch, then only what changed. */
class LiveTimelinesTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final int MAX = ResultsApi.TIMELINE_MAX;

    private final AtomicLong nanos = new AtomicLong();
    private final LiveTimelines timelines = new LiveTimelines(2, nanos::get);
    /** What the item store holds, per batch: index to outcome. */
    private final Map<String, Map<Long, ItemOutcome>> store = new TreeMap<>();
    private final AtomicInteger scans = new AtomicInteger();

    private static ItemOutcome outcome(String batchId, long index) {
        return ItemOutcome.of(Fixtures.success(batchId, index, 10 + index, CREATED.plusMillis(100 * index), null));
    }

    /** Stores an item and tells the timelines, as {@link ItemStore#add} does. */
    private void count(String batchId, long index) {
        ItemOutcome outcome = outcome(batchId, index);
        store.computeIfAbsent(batchId, b -> new TreeMap<>()).put(index, outcome);
        timelines.counted(batchId, index, outcome);
    }

    private Consumer<TimelineBuilder> scanOf(String batchId) {
        return builder -> {
            scans.incrementAndGet();
            store.getOrDefault(batchId, Map.of()).forEach(builder::add);
        };
    }

    private Timeline fetch(String batchId, String since) {
        return timelines.answer(batchId, CREATED, 10, MAX, since, scanOf(batchId));
    }

    @Test
    void onlyTheFirstFetchScansAndAFetchWithItsCursorCarriesOnlyTheItemsCountedSince() {
        count("b", 0);
        count("b", 1);
        Timeline first = fetch("b", null);
        count("b", 2);
        count("b", 3);

        Timeline second = fetch("b", first.cursor());

        assertThat(scans).hasValue(1);
        assertThat(first.bars()).extracting(bar -> bar[0]).containsExactly(0L, 1L);
        assertThat(second.incremental()).isTrue();
        assertThat(second.bars()).extracting(bar -> bar[0]).containsExactly(2L, 3L);
        assertThat(second.bars().get(0)).containsExactly(2, -1, 200, 212, 0, 0, 1);
        assertThat(second.items()).isEqualTo(4);
        assertThat(second.summary().sumItemMs()).isEqualTo(10 + 11 + 12 + 13);
        assertThat(fetch("b", second.cursor()).bars()).as("nothing new").isEmpty();
        assertThat(fetch("b", null).bars()).as("no cursor: every bar").hasSize(4);
    }

    @Test
    void theKeptTimelineAnswersWhatAScanOfTheStoreWould() {
        for (long i = 0; i < 50; i += 2) {
            count("b", i);
        }
        fetch("b", null);
        for (long i = 49; i > 0; i -= 2) {
            count("b", i);
        }

        Timeline kept = fetch("b", null);
        Timeline scanned = new LiveTimelines(0, nanos::get).answer("b", CREATED, 10, MAX, null, scanOf("b"));

        assertThat(kept.items()).isEqualTo(scanned.items()).isEqualTo(50);
        assertThat(kept.summary()).isEqualTo(scanned.summary());
        assertThat(kept.bars()).usingElementComparator(java.util.Arrays::compare)
                .containsExactlyInAnyOrderElementsOf(scanned.bars());
    }

    @Test
    void anItemCountedWhileTheFirstScanRunsIsTakenOnce() {
        count("b", 0);
        Timeline first = timelines.answer("b", CREATED, 10, MAX, null, builder -> {
            count("b", 1); // stored before the scan reads it, and counted: seen twice
            scanOf("b").accept(builder);
            count("b", 2); // counted after the scan read the store
        });

        assertThat(first.items()).isEqualTo(3);
        assertThat(first.bars()).extracting(bar -> bar[0]).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(fetch("b", null).items()).isEqualTo(3);
        assertThat(scans).hasValue(1);
    }

    @Test
    void aChangedOutcomeARepeatedIndexOrAClosedProcessorDropsTheTimelineAndTheNextFetchScansAgain() {
        count("b", 0);
        fetch("b", null);
        timelines.changed("b");
        fetch("b", null);
        assertThat(scans).hasValue(2);

        timelines.counted("b", 0, outcome("b", 0)); // counted again: a rolled-back transaction, read once more
        Timeline again = fetch("b", null);
        assertThat(scans).hasValue(3);
        assertThat(again.items()).isEqualTo(1);

        timelines.forgetAll();
        assertThat(timelines.size()).isZero();
        fetch("b", null);
        assertThat(scans).hasValue(4);
    }

    @Test
    void aCursorFromAnotherTimelineOrFromBeforeARebuildGetsEveryBar() {
        count("b", 0);
        Timeline first = fetch("b", null);
        timelines.changed("b");
        count("b", 1);

        Timeline rebuilt = fetch("b", first.cursor());

        assertThat(rebuilt.incremental()).isFalse();
        assertThat(rebuilt.bars()).hasSize(2);
        assertThat(fetch("b", "12.0.3").incremental()).isFalse();
    }

    @Test
    void atMostCapacityTimelinesAreKeptTheLeastRecentlyFetchedGoingFirstAndAnIdleOneGoes() {
        for (String batch : new String[] {"a", "b", "c"}) {
            count(batch, 0);
        }
        fetch("a", null);
        nanos.addAndGet(1);
        fetch("b", null);
        nanos.addAndGet(1);
        fetch("a", null); // b is now the least recently fetched
        nanos.addAndGet(1);
        fetch("c", null);
        assertThat(timelines.size()).isEqualTo(2);
        scans.set(0);
        fetch("a", null);
        fetch("c", null);
        assertThat(scans).as("a and c kept").hasValue(0);

        nanos.addAndGet(LiveTimelines.IDLE.plus(Duration.ofSeconds(1)).toNanos());
        fetch("a", null);
        assertThat(scans).as("idle for longer than IDLE: rebuilt").hasValue(1);
        assertThat(timelines.size()).isEqualTo(1);
    }

    @Test
    void aFetchWithAnotherMaximumScansAndKeepsNothing() {
        count("b", 0);
        timelines.answer("b", CREATED, 10, 5, null, scanOf("b"));
        timelines.answer("b", CREATED, 10, 5, null, scanOf("b"));

        assertThat(scans).hasValue(2);
        assertThat(timelines.size()).isZero();
    }

    @Test
    void aTimelineGrowingBeyondItsMaximumDrawsEveryNthIndexAndItsOldCursorsNoLongerFit() {
        TimelineBuilder builder = new TimelineBuilder(1, 4);
        for (long i = 0; i < 4; i++) {
            builder.add(i, outcome("b", i));
        }
        Timeline four = builder.result("b", CREATED);
        for (long i = 4; i < 9; i++) {
            builder.add(i, outcome("b", i));
        }

        Timeline nine = builder.result("b", CREATED, four.cursor());

        assertThat(nine.stride()).isEqualTo(4);
        assertThat(nine.incremental()).isFalse();
        assertThat(nine.bars()).extracting(bar -> bar[0]).containsExactly(0L, 4L, 8L);
        assertThat(nine.items()).isEqualTo(9);
    }
}
