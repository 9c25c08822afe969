package dev.fanout.dispatcher;

import java.util.Locale;

/**
 * What an invalid item (a line that is not valid JSON, an unknown item field, an unknown handler, a duplicate id, a
 * missing key) does to a dispatch: {@code --on-invalid-item skip|fail}.
 */
public enum InvalidItemPolicy {
    /**
     * The default. A file or inline items: nothing of the batch is published. A stream (stdin): publishing stops at
     * that item, the batch is not sealed and a {@code cancel} signal is sent for it.
     */
    FAIL,
    /** The item is left out and listed; indexes stay contiguous, and the batch is sealed with the items published. */
    SKIP;

    public static final String PROPERTY = "--on-invalid-item";

    /** The name as written on the command line ({@code skip}, {@code fail}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code skip} or {@code fail} (any case). */
    public static InvalidItemPolicy of(String text) {
        for (InvalidItemPolicy policy : values()) {
            if (policy.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return policy;
            }
        }
        throw new IllegalArgumentException(PROPERTY + " must be one of skip, fail, was '" + text + "'");
    }
}
