package dev.fanout.protocol;

/** The terminal outcome of one item's attempt chain, as carried by an {@link ItemResult}. */
public enum ItemStatus {
    SUCCEEDED, FAILED, TIMED_OUT, CANCELLED;

    public boolean isSuccess() {
        return this == SUCCEEDED;
    }
}
