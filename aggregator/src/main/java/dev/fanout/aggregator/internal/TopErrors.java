package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.fanout.protocol.BatchResult.ErrorCount;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Error types of a batch with their counts and one example message each. At most {@link #MAX_TYPES} distinct types
 * are kept; later new types are counted together under {@link #OTHER}, so the state of a batch stays small however
 * varied its errors. An error can be forgotten again (its item was replayed): a type whose count falls to 0 keeps its
 * place, so a type counted under {@link #OTHER} is always forgotten from there.
 */
public final class TopErrors {

    public static final int MAX_TYPES = 20;
    public static final String OTHER = "(other types)";
    private static final int MAX_EXAMPLE_CHARS = 500;
    private static final int MAX_TYPE_CHARS = 200;

    private final Map<String, ErrorCount> byType = new LinkedHashMap<>();

    public TopErrors() {
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    TopErrors(List<ErrorCount> entries) {
        for (ErrorCount entry : Objects.requireNonNullElse(entries, List.<ErrorCount>of())) {
            byType.put(entry.type(), entry);
        }
    }

    /** Counts one error of a type, keeping its message as the example when it is the type's first (still counted). */
    public void record(String errorType, String message) {
        Objects.requireNonNull(errorType, "errorType");
        String type = shorten(errorType, MAX_TYPE_CHARS);
        String key = byType.containsKey(type) || byType.size() < MAX_TYPES ? type : OTHER;
        String example = shorten(key.equals(OTHER) ? type + ": " + message : message, MAX_EXAMPLE_CHARS);
        byType.merge(key, new ErrorCount(key, 1, example), (old, added) ->
                new ErrorCount(key, old.count() + 1, old.count() == 0 ? added.example() : old.example()));
    }

    /**
     * Uncounts one error of a type counted before, from the type's own entry when it has one, else from
     * {@link #OTHER}. A type that was never counted is ignored.
     */
    public void forget(String errorType) {
        Objects.requireNonNull(errorType, "errorType");
        String type = shorten(errorType, MAX_TYPE_CHARS);
        String key = byType.containsKey(type) ? type : OTHER;
        ErrorCount entry = byType.get(key);
        if (entry != null && entry.count() > 0) {
            byType.put(key, new ErrorCount(key, entry.count() - 1, entry.example()));
        }
    }

    /** The types with a count, most frequent first (ties by name). */
    public List<ErrorCount> top() {
        return entries().stream().filter(entry -> entry.count() > 0).toList();
    }

    /** Every type kept, forgotten ones (count 0) included, most frequent first: the stored form. */
    @JsonValue
    List<ErrorCount> entries() {
        return byType.values().stream()
                .sorted(Comparator.comparingLong(ErrorCount::count).reversed().thenComparing(ErrorCount::type))
                .toList();
    }

    private static String shorten(String message, int max) {
        String text = message == null ? "" : message;
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
