package dev.fanout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.protocol.Envelopes;

/** The one JSON line that commands run with {@code --json} print last. */
final class Json {

    private Json() {
    }

    static String line(Object value) {
        try {
            return Envelopes.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
