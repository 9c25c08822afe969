package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What happens when a batch's {@code totalTimeout} passes before it is decided. */
public enum TotalTimeoutAction {
    /** Decide {@code PARTIAL} with what finished; cancel the rest. */
    COLLECT_PARTIAL,
    /** Decide {@code FAILED}. */
    FAIL,
    /** Decide {@code CANCELLED} and cancel the rest. */
    CANCEL;

    @JsonValue
    public String id() {
        return Names.id(this);
    }

    @JsonCreator
    public static TotalTimeoutAction of(String text) {
        return Names.parse(TotalTimeoutAction.class, text, "policy.onTotalTimeout");
    }
}
