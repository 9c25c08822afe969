package dev.fanout.protocol;

/** A batch's decided status, carried by a {@link BatchResult}. */
public enum BatchStatus {
    SUCCEEDED, SUCCEEDED_WITH_FAILURES, FAILED, PARTIAL, CANCELLED;

    /** What {@code fanout dispatch --wait} and the demo treat as success. */
    public boolean isSuccessful() {
        return this == SUCCEEDED || this == SUCCEEDED_WITH_FAILURES;
    }
}
