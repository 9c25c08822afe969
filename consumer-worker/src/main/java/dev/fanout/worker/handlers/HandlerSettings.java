package dev.fanout.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/** Checks shared by the built-in handlers' settings. */
final class HandlerSettings {

    private HandlerSettings() {
    }

    /** Refuses a setting the handler does not have, naming it and the known ones. */
    static void requireKnown(JsonNode settings, String handler, Set<String> known) {
        for (Iterator<String> names = settings.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(handler + " has no setting '" + name + "'; known: "
                        + new TreeSet<>(known));
            }
        }
    }
}
