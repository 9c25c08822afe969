package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Objects;

/**
 * A signal about one batch on the compacted control topic, keyed by {@code batchId}: the latest one per batch is
 * in force, and every worker reads the topic in full.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlSignal(int schemaVersion, String batchId, Action action, String reason, Instant at)
        implements Envelopes.Versioned {

    public ControlSignal {
        Envelopes.require(batchId, "batchId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(at, "at");
    }

    /** What a signal asks workers to do with the batch's items. */
    public enum Action {
        PAUSE, RESUME, CANCEL;

        @JsonValue
        public String id() {
            return Names.id(this);
        }

        @JsonCreator
        public static Action of(String text) {
            return Names.parse(Action.class, text, "action");
        }
    }
}
