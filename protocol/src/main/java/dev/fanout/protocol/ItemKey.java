package dev.fanout.protocol;

import java.util.Objects;

/**
 * The identity of an item inside Fanout: its batch and its index. Every consumer deduplicates on it.
 */
public record ItemKey(String batchId, long index) {

    public ItemKey {
        Objects.requireNonNull(batchId, "batchId");
    }

    /** A compact text form, {@code <batchId>/<index, zero-padded>}, that sorts by index within a batch. */
    public String asString() {
        return batchId + "/" + String.format("%019d", index);
    }
}
