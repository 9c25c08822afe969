package dev.fanout.dispatcher.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * A set of item indexes as a paged bit set: 8 KiB per 65,536 consecutive indexes that hold at least one member, so
 * a million-item batch costs about 125 KiB. Not thread-safe.
 */
public final class IndexSet {

    private static final int PAGE_BITS = 16;
    private static final int WORDS_PER_PAGE = (1 << PAGE_BITS) / Long.SIZE;

    private final Map<Long, long[]> pages = new HashMap<>();
    private long size;
    private long lastPageNumber = -1;
    private long[] lastPage;

    /** Adds an index; returns whether it was new. */
    public boolean add(long index) {
        checkIndex(index);
        long[] page = page(index >>> PAGE_BITS, true);
        int bit = (int) (index & ((1 << PAGE_BITS) - 1));
        long mask = 1L << (bit & 63);
        if ((page[bit >>> 6] & mask) != 0) {
            return false;
        }
        page[bit >>> 6] |= mask;
        size++;
        return true;
    }

    public boolean contains(long index) {
        checkIndex(index);
        long[] page = page(index >>> PAGE_BITS, false);
        if (page == null) {
            return false;
        }
        int bit = (int) (index & ((1 << PAGE_BITS) - 1));
        return (page[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    public long size() {
        return size;
    }

    /** The page, remembering the last one: consecutive indexes (the common case) skip the map. */
    private long[] page(long number, boolean create) {
        if (number == lastPageNumber) {
            return lastPage;
        }
        long[] page = create ? pages.computeIfAbsent(number, key -> new long[WORDS_PER_PAGE]) : pages.get(number);
        if (page != null) {
            lastPageNumber = number;
            lastPage = page;
        }
        return page;
    }

    private static void checkIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("an item index is >= 0, was " + index);
        }
    }
}
