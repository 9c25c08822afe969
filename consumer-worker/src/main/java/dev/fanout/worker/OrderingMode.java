package dev.fanout.worker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which items of a lane may run at the same time. */
public enum OrderingMode {
    /** Items with the same record key run one at a time in offset order; different keys in parallel (default). */
    KEY,
    /** One item at a time per partition, in offset order. */
    PARTITION,
    /** No order: any items may run at once. */
    UNORDERED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static OrderingMode of(String text) {
        for (OrderingMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("ordering must be one of key, partition, unordered, was '" + text + "'");
    }
}
