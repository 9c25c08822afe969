package dev.fanout.dispatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Invalid items left out of a batch (or the one that stopped it): how many, and where the first
 * {@value #MAX_LISTED} were. Immutable.
 *
 * @param count     items rejected
 * @param positions where the first ones were, e.g. {@code stdin line 7}, in input order
 */
public record RejectedItems(long count, List<String> positions) {

    /** At most this many positions are kept, whatever the count. */
    public static final int MAX_LISTED = 100;

    public RejectedItems {
        positions = List.copyOf(positions);
    }

    public static RejectedItems none() {
        return new RejectedItems(0, List.of());
    }

    /** These plus one more rejected item at {@code position}. */
    public RejectedItems plus(String position) {
        if (positions.size() >= MAX_LISTED) {
            return new RejectedItems(count + 1, positions);
        }
        List<String> more = new ArrayList<>(positions);
        more.add(position);
        return new RejectedItems(count + 1, more);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** {@code 2 items rejected: stdin line 3, stdin line 9}, with {@code and N more} past the listed ones. */
    public String describe() {
        if (count == 0) {
            return "no item rejected";
        }
        String listed = String.join(", ", positions);
        long more = count - positions.size();
        return String.format(Locale.ROOT, "%,d item%s rejected: %s%s", count, count == 1 ? "" : "s", listed,
                more > 0 ? String.format(Locale.ROOT, " and %,d more", more) : "");
    }
}
