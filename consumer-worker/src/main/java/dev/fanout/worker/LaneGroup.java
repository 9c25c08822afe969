package dev.fanout.worker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What kind of Kafka group a lane is consumed through: the worker group's consumer group (one worker per partition,
 * ordering as configured), or a share group (KIP-932: any number of workers read the same partitions, records are
 * acquired and acknowledged one by one, and there is no order).
 */
public enum LaneGroup {
    /** The consumer group: offsets committed below what is durable; every ordering mode (default). */
    CONSUMER,
    /** A share group: each record acknowledged once its outcome is durable; only with {@code ordering: unordered}. */
    SHARE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LaneGroup of(String text) {
        for (LaneGroup group : values()) {
            if (group.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return group;
            }
        }
        throw new IllegalArgumentException("a lane's group must be consumer or share, was '" + text + "'");
    }
}
