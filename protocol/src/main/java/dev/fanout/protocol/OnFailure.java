package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a batch decided {@code FAILED} (or {@code CANCELLED}) does about the items that had succeeded. */
public enum OnFailure {
    /** Nothing: their side effects stay. */
    NONE,
    /**
     * Runs each succeeded item's {@link Compensation} handler once, as the child batch
     * {@code <batchId>.compensation}.
     */
    COMPENSATE;

    @JsonValue
    public String id() {
        return Names.id(this);
    }

    /**
     * Leaves the default out of encoded policies ({@code @JsonInclude} filter: equal means excluded), so a policy
     * without compensation encodes as before and readers of earlier releases still accept it.
     */
    static final class Default {
        @Override
        public boolean equals(Object value) {
            return value == null || value == NONE;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    @JsonCreator
    public static OnFailure of(String text) {
        return Names.parse(OnFailure.class, text, "policy.onFailure");
    }
}
