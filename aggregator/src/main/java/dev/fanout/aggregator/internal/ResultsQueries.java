package dev.fanout.aggregator.internal;

import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.ResultsApi.Timeline;
import dev.fanout.protocol.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers the results API's questions from one partition's stores (or any read-only stores: the processor's, a
 * {@code TopologyTestDriver}'s, an interactive query's).
 */
public final class ResultsQueries {

    private final ReadOnlyKeyValueStore<String, BatchState> batches;
    private final ItemReader items;
    private final LiveTimelines timelines;

    public ResultsQueries(ReadOnlyKeyValueStore<String, BatchState> batches,
            ReadOnlyKeyValueStore<String, ItemOutcome> items, ReadOnlyKeyValueStore<String, Long> ids) {
        this(batches, items, ids, LiveTimelines.off());
    }

    /** Queries whose timelines come from {@code timelines} when kept there (fed by the processor of these stores). */
    public ResultsQueries(ReadOnlyKeyValueStore<String, BatchState> batches,
            ReadOnlyKeyValueStore<String, ItemOutcome> items, ReadOnlyKeyValueStore<String, Long> ids,
            LiveTimelines timelines) {
        this.batches = Objects.requireNonNull(batches, "batches");
        this.items = new ItemReader(items, ids);
        this.timelines = Objects.requireNonNull(timelines, "timelines");
    }

    /** A batch with its decision as published (the race winner's output read back from the item store). */
    public Optional<BatchView> batch(String batchId) {
        BatchState state = batches.get(batchId);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(view(batchId, state, decisionWithOutput(batchId, state)));
    }

    /** Up to {@code limit} batches with an id after {@code after} ({@code null} for the first), by id, without decisions. */
    public List<BatchView> batches(String after, int limit) {
        List<BatchView> found = new ArrayList<>();
        try (KeyValueIterator<String, BatchState> range = batches.range(after, null)) {
            while (range.hasNext() && found.size() < limit) {
                KeyValue<String, BatchState> entry = range.next();
                if (!entry.key.equals(after)) {
                    found.add(view(entry.key, entry.value, null));
                }
            }
        }
        return found;
    }

    /** Whether the batch's items were removed after the retention period; empty when the batch is unknown. */
    public Optional<Boolean> itemsRemoved(String batchId) {
        return Optional.ofNullable(batches.get(batchId)).map(BatchState::itemsRemoved);
    }

    public ItemPage items(String batchId, ItemFilter filter, long after, int limit) {
        return items.page(batchId, filter, after, limit);
    }

    public Optional<ItemView> item(String batchId, String ref) {
        return items.find(batchId, ref);
    }

    /**
     * The batch's timeline: a bar per item (every n-th beyond {@code max}) and a summary over all items counted; only
     * the bars added since when {@code since} is the cursor of an earlier answer that still fits. Kept up to date by
     * {@link LiveTimelines} once fetched, so only a first fetch scans the batch's items. Empty when the batch is
     * unknown.
     */
    public Optional<Timeline> timeline(String batchId, int max, String since) {
        BatchState state = batches.get(batchId);
        if (state == null) {
            return Optional.empty();
        }
        BatchDefinition definition = state.definition();
        long expected = Math.max(state.tally().finished(),
                definition == null || definition.total() == null ? 0 : definition.total());
        return Optional.of(timelines.answer(batchId, definition == null ? null : definition.createdAt(), expected,
                max, since, builder -> scan(batchId, builder)));
    }

    private void scan(String batchId, TimelineBuilder builder) {
        long after = -1;
        Long next;
        do {
            next = items.scan(batchId, after, ItemReader.SCAN_BUDGET, (index, outcome) -> {
                builder.add(index, outcome);
                return true;
            });
            after = next == null ? after : next;
        } while (next != null);
    }

    static BatchView view(String batchId, BatchState state, BatchResult decision) {
        BatchDefinition definition = state.definition();
        return new BatchView(batchId, state.isDecided(), state.decidedStatus(),
                definition == null ? null : definition.policy().strategy(),
                definition == null ? null : definition.policy().minSuccessRate(),
                definition == null ? null : definition.sealed(),
                definition == null ? null : definition.total(),
                state.tally().finished(), state.succeeded(), state.unsuccessful(), state.timedOut(),
                state.cancelled(), state.deadLettered(), definition == null ? null : definition.createdAt(),
                state.decidedAt(), state.itemsRemoved(), decision);
    }

    private BatchResult decisionWithOutput(String batchId, BatchState state) {
        BatchResult d = state.decision();
        if (d == null || d.strategy() != Strategy.RACE || state.winnerIndex() == null) {
            return d;
        }
        ItemOutcome winner = items.get(batchId, state.winnerIndex());
        if (winner == null || winner.output() == null) {
            return d;
        }
        return BatchResults.with(d, d.reason(), winner.output());
    }
}
