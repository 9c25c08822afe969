package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a per-item timeout does. */
public enum TimeoutPolicy {
    /** The timeout is a failure: the retry policy applies; the last one is dead-lettered as {@code TIMEOUT}. */
    ERROR,
    /** Interrupt the handler, record the item {@code TIMED_OUT} and dead-letter it; no retry. */
    CANCEL,
    /**
     * Record the item {@code TIMED_OUT} at once (no retry, no dead letter) and let the handler run on outside the
     * worker's limits; when it finishes, its late output (or error) is attached to the item's record.
     */
    CONTINUE;

    @JsonValue
    public String id() {
        return Names.id(this);
    }

    @JsonCreator
    public static TimeoutPolicy of(String text) {
        return Names.parse(TimeoutPolicy.class, text, "onTimeout");
    }
}
