package dev.fanout.aggregator.internal;

import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads a batch's items from the item store (keys {@code ItemKey.asString()}, which sort by index within a batch) and
 * the item-id index (keys {@code <batchId>/<itemId>}, only for items whose id is not their index). Used by the
 * processor and by the results API (interactive queries) alike.
 */
public class ItemReader {

    /** How many entries one page may scan at most, whatever it finds: bounds the work of one request. */
    public static final int SCAN_BUDGET = 100_000;
    private static final int INDEX_DIGITS = 19;

    private final ReadOnlyKeyValueStore<String, ItemOutcome> items;
    private final ReadOnlyKeyValueStore<String, Long> ids;

    public ItemReader(ReadOnlyKeyValueStore<String, ItemOutcome> items, ReadOnlyKeyValueStore<String, Long> ids) {
        this.items = Objects.requireNonNull(items, "items");
        this.ids = Objects.requireNonNull(ids, "ids");
    }

    /** The item-id index key of an item. */
    public static String idKey(String batchId, String itemId) {
        return batchId + "/" + itemId;
    }

    /** Whether an item's id is just its index as text (then the id index holds no entry for it). */
    public static boolean idIsIndex(String itemId, long index) {
        return itemId.equals(Long.toString(index));
    }

    /** The index in an item-store key. */
    public static long indexOf(String itemKey) {
        return Long.parseLong(itemKey.substring(itemKey.length() - INDEX_DIGITS));
    }

    public ItemOutcome get(String batchId, long index) {
        return items.get(new ItemKey(batchId, index).asString());
    }

    /**
     * An item by its user id, else (when {@code ref} is a whole number) by its index.
     */
    public Optional<ItemView> find(String batchId, String ref) {
        Long index = ids.get(idKey(batchId, ref));
        if (index == null && ref.matches("\\d{1,18}")) {
            index = Long.parseLong(ref);
        }
        if (index == null) {
            return Optional.empty();
        }
        ItemOutcome outcome = get(batchId, index);
        return outcome == null ? Optional.empty() : Optional.of(outcome.view(batchId, index));
    }

    /**
     * A page of a batch's items in index order.
     *
     * @param filter  which items, or {@code null} for all
     * @param after   only items with a greater index; {@code -1} for the first page
     * @param limit   the most items returned
     */
    public ItemPage page(String batchId, ItemFilter filter, long after, int limit) {
        List<ItemView> found = new ArrayList<>();
        Long next = scan(batchId, after, SCAN_BUDGET, (index, outcome) -> {
            if (filter == null || filter.matches(outcome.status())) {
                found.add(outcome.view(batchId, index));
            }
            return found.size() < limit;
        });
        return new ItemPage(batchId, found, next);
    }

    /**
     * Visits a batch's items in index order after {@code after}, until the visitor returns false or {@code budget}
     * entries were visited.
     *
     * @return the index to continue after when the scan stopped with items left, else {@code null}
     */
    public Long scan(String batchId, long after, int budget, BiPredicate<Long, ItemOutcome> visitor) {
        if (after >= Long.MAX_VALUE) {
            return null;
        }
        int visited = 0;
        long last = after;
        try (KeyValueIterator<String, ItemOutcome> range = range(batchId, after + 1)) {
            while (range.hasNext()) {
                KeyValue<String, ItemOutcome> entry = range.next();
                last = indexOf(entry.key);
                visited++;
                if (!visitor.test(last, entry.value) || visited >= budget) {
                    return range.hasNext() ? last : null;
                }
            }
        }
        return null;
    }

    KeyValueIterator<String, ItemOutcome> range(String batchId, long from) {
        return items.range(new ItemKey(batchId, Math.max(0, from)).asString(),
                new ItemKey(batchId, Long.MAX_VALUE).asString());
    }
}
