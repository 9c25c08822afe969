package dev.fanout.dispatcher;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The handler names a batch may use, and where that list comes from (the live workers of its lane, or the handler
 * types on this classpath). {@link #any} accepts every name: used when no worker is alive to ask.
 *
 * @param names  the accepted names, or empty for any name
 * @param source where the names come from, for messages ({@code served by the live workers of lane normal: w1, w2})
 * @param fix    what to do about an unknown name, for messages
 */
public record HandlerNames(Optional<Set<String>> names, String source, String fix) {

    public HandlerNames {
        Objects.requireNonNull(names, "names");
        names = names.map(set -> Set.copyOf(new TreeSet<>(set)));
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fix, "fix");
    }

    /** Exactly these names. */
    public static HandlerNames of(Set<String> names, String source, String fix) {
        return new HandlerNames(Optional.of(names), source, fix);
    }

    /** Every name: nothing to check against. */
    public static HandlerNames any(String source) {
        return new HandlerNames(Optional.empty(), source, "");
    }

    public boolean accepts(String name) {
        return names.map(set -> set.contains(name)).orElse(true);
    }

    /** {@code handler 'ech0' is unknown; known handlers: echo, http (served by ...); fix}. */
    public String unknown(String field, String name) {
        return field + " '" + name + "' is unknown; known handlers: "
                + String.join(", ", new TreeSet<>(names.orElse(Set.of()))) + " (" + source + ")"
                + (fix.isEmpty() ? "" : "; " + fix);
    }
}
