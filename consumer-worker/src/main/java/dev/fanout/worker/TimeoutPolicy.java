package dev.fanout.worker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a per-item timeout does. */
public enum TimeoutPolicy {
    /** The timeout is a failure: the retry policy applies; the last one is dead-lettered as {@code TIMEOUT}. */
    ERROR,
    /** Interrupt the handler, record the item {@code TIMED_OUT}, no retry. */
    CANCEL;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TimeoutPolicy of(String text) {
        for (TimeoutPolicy policy : values()) {
            if (policy.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return policy;
            }
        }
        throw new IllegalArgumentException("onTimeout must be error or cancel, was '" + text + "'");
    }
}
