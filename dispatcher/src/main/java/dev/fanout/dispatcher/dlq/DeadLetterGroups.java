package dev.fanout.dispatcher.dlq;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters counted by reason and by error type, largest group first (ties by name). A dead letter without a
 * reason (written by Spring Kafka or Kafka Connect) counts under its source, e.g. {@code (spring)}; one without an
 * error type under {@code (none)}.
 *
 * @param total       dead letters counted
 * @param byReason    reason → count
 * @param byErrorType error type → count
 */
public record DeadLetterGroups(long total, Map<String, Long> byReason, Map<String, Long> byErrorType) {

    public static DeadLetterGroups of(List<DeadLetter> letters) {
        Map<String, Long> reasons = new HashMap<>();
        Map<String, Long> types = new HashMap<>();
        for (DeadLetter letter : letters) {
            reasons.merge(reasonOf(letter.context()), 1L, Long::sum);
            String type = letter.context().errorType();
            types.merge(type == null ? "(none)" : type, 1L, Long::sum);
        }
        return new DeadLetterGroups(letters.size(), sorted(reasons), sorted(types));
    }

    /** The reason, or the source in parentheses when the writer records none. */
    public static String reasonOf(DeadLetterContext context) {
        return context.reason() != null ? context.reason()
                : "(" + context.source().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
