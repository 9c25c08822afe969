package dev.fanout.aggregator.internal;

import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ItemResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The processor's side of the item store and the item-id index: it adds and updates outcomes, removes expired ones,
 * and tells the {@link LiveTimelines} what changed.
 */
public final class ItemStore extends ItemReader {

    private final KeyValueStore<String, ItemOutcome> items;
    private final KeyValueStore<String, Long> ids;
    private final LiveTimelines timelines;

    public ItemStore(KeyValueStore<String, ItemOutcome> items, KeyValueStore<String, Long> ids) {
        this(items, ids, LiveTimelines.off());
    }

    public ItemStore(KeyValueStore<String, ItemOutcome> items, KeyValueStore<String, Long> ids,
            LiveTimelines timelines) {
        super(items, ids);
        this.items = Objects.requireNonNull(items, "items");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.timelines = Objects.requireNonNull(timelines, "timelines");
    }

    /**
     * Stores the result an item is first counted with; an id that is not the index is indexed (the first such item
     * keeps it).
     */
    public void add(ItemResult result) {
        ItemOutcome outcome = ItemOutcome.of(result);
        put(result, outcome);
        timelines.counted(result.batchId(), result.index(), outcome);
    }

    /** Stores the replay that replaces an item's counted outcome. */
    public void replace(ItemResult result) {
        put(result, ItemOutcome.of(result));
        timelines.changed(result.batchId());
    }

    private void put(ItemResult result, ItemOutcome outcome) {
        items.put(result.itemKey().asString(), outcome);
        if (!idIsIndex(result.itemId(), result.index())) {
            ids.putIfAbsent(idKey(result.batchId(), result.itemId()), result.index());
        }
    }

    /** Replaces a stored item's outcome (a replay that failed again, a late supplement, a compensation). */
    public void update(ItemKey key, ItemOutcome outcome) {
        items.put(key.asString(), Objects.requireNonNull(outcome, "outcome"));
        timelines.changed(key.batchId());
    }

    /**
     * Removes up to {@code max} of a batch's items, lowest index first, with their id-index entries.
     *
     * @return how many were removed and whether any remain
     */
    public Removal remove(String batchId, int max) {
        List<KeyValue<String, ItemOutcome>> doomed = new ArrayList<>();
        boolean more;
        try (KeyValueIterator<String, ItemOutcome> range = range(batchId, 0)) {
            while (range.hasNext() && doomed.size() < max) {
                doomed.add(range.next());
            }
            more = range.hasNext();
        }
        for (KeyValue<String, ItemOutcome> entry : doomed) {
            items.delete(entry.key);
            if (!idIsIndex(entry.value.itemId(), indexOf(entry.key))) {
                ids.delete(idKey(batchId, entry.value.itemId()));
            }
        }
        if (!doomed.isEmpty()) {
            timelines.changed(batchId);
        }
        return new Removal(doomed.size(), more);
    }

    /** What one {@link #remove} call did. */
    public record Removal(int removed, boolean more) {
    }
}
