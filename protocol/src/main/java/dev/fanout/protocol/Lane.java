package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Priority lanes: one jobs topic each; workers take higher lanes first. */
public enum Lane {
    HIGH, NORMAL, LOW;

    /** The lane's name as used in topic names and batch files ({@code high}, {@code normal}, {@code low}). */
    @JsonValue
    public String id() {
        return Names.id(this);
    }

    @JsonCreator
    public static Lane of(String text) {
        return Names.parse(Lane.class, text, "priority");
    }
}
