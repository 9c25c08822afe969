package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.schema.OutputSchema;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.protocol.TimeoutPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The execution fields of a batch file ({@code retry}, {@code timeout}, {@code onTimeout}, {@code outputSchema},
 * {@code deadLetterQueue}), read into an {@link ItemExecution}. Every message names the field by its full path
 * ({@code retry.maximumAttempts}), the bad value, the rule and what it means.
 */
final class ExecutionFields {

    static final String INITIAL_INTERVAL = "initialInterval";
    static final String BACKOFF_COEFFICIENT = "backoffCoefficient";
    static final String MAXIMUM_INTERVAL = "maximumInterval";
    static final String MAXIMUM_ATTEMPTS = "maximumAttempts";
    static final String NON_RETRYABLE = "nonRetryable";
    private static final Set<String> RETRY_FIELDS = new TreeSet<>(List.of(INITIAL_INTERVAL, BACKOFF_COEFFICIENT,
            MAXIMUM_INTERVAL, MAXIMUM_ATTEMPTS, NON_RETRYABLE));

    /** Nothing set: every worker keeps its per-handler settings. */
    static final ItemExecution NONE = new ItemExecution(null, null, null, null, null);

    private ExecutionFields() {
    }

    /** The execution settings of a batch file; {@code null} or JSON {@code null} means the field is absent. */
    static ItemExecution read(JsonNode retry, JsonNode timeout, TimeoutPolicy onTimeout, JsonNode outputSchema,
            Boolean deadLetterQueue) {
        return new ItemExecution(retry(retry), timeout(timeout), onTimeout, absent(outputSchema) ? null : outputSchema,
                deadLetterQueue);
    }

    /**
     * Checks what {@link ItemExecution} itself cannot: that the output schema is a valid JSON Schema.
     *
     * @throws ConfigException naming {@code outputSchema} and what is wrong with it
     */
    static ItemExecution check(ItemExecution execution) {
        if (execution.outputSchema() != null) {
            try {
                OutputSchema.compile(execution.outputSchema());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }
        return execution;
    }

    private static Duration timeout(JsonNode node) {
        return absent(node) ? null : duration(node, BatchSpec.TIMEOUT, true,
                "how long one attempt of an item may run; leave it out for the handler's own timeout");
    }

    private static RetrySettings retry(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        String retry = BatchSpec.RETRY;
        if (!node.isObject()) {
            throw new ConfigException(retry + " must be an object such as {initialInterval: 1s, backoffCoefficient:"
                    + " 2.0, maximumInterval: 1m, maximumAttempts: 5}, was " + node);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!RETRY_FIELDS.contains(name)) {
                throw new ConfigException("unknown field '" + retry + "." + name + "'; known fields here: "
                        + String.join(", ", RETRY_FIELDS));
            }
        }
        Duration initial = absent(node.get(INITIAL_INTERVAL)) ? null
                : duration(node.get(INITIAL_INTERVAL), retry + "." + INITIAL_INTERVAL, false,
                        "the wait before the first retry");
        Duration maximum = absent(node.get(MAXIMUM_INTERVAL)) ? null
                : duration(node.get(MAXIMUM_INTERVAL), retry + "." + MAXIMUM_INTERVAL, false, "the longest wait");
        if (initial != null && maximum != null && maximum.compareTo(initial) < 0) {
            throw new ConfigException(retry + "." + MAXIMUM_INTERVAL + " must be at least " + retry + "."
                    + INITIAL_INTERVAL + " (" + Durations.format(initial) + "): the waits grow from initialInterval up"
                    + " to maximumInterval, was " + Durations.format(maximum));
        }
        return new RetrySettings(initial, coefficient(node.get(BACKOFF_COEFFICIENT)), maximum,
                attempts(node.get(MAXIMUM_ATTEMPTS)), nonRetryable(node.get(NON_RETRYABLE)));
    }

    private static Double coefficient(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        String field = BatchSpec.RETRY + "." + BACKOFF_COEFFICIENT;
        if (!node.isNumber() || !(node.doubleValue() >= 1.0) || Double.isInfinite(node.doubleValue())) {
            throw new ConfigException(field + " must be a number >= 1.0 (each wait is the one before times it; 1.0"
                    + " keeps the waits equal), was " + node);
        }
        return node.doubleValue();
    }

    private static Integer attempts(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
            throw new ConfigException(BatchSpec.RETRY + "." + MAXIMUM_ATTEMPTS + " must be a whole number >= 1"
                    + " (attempts in all, the first included; 1 means no retry), was " + node);
        }
        return node.intValue();
    }

    private static List<String> nonRetryable(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        String field = BatchSpec.RETRY + "." + NON_RETRYABLE;
        if (!node.isArray()) {
            throw new ConfigException(field + " must be a list of error types (class names such as"
                    + " java.io.IOException or IllegalArgumentException), was " + node);
        }
        List<String> types = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode type = node.get(i);
            if (!type.isTextual() || type.textValue().isBlank()) {
                throw new ConfigException(field + "[" + i + "] must be an error type's class name (such as"
                        + " java.io.IOException), was " + type);
            }
            types.add(type.textValue().trim());
        }
        return types;
    }

    /**
     * A duration, written as {@code 30s}, {@code 500ms}, {@code PT1M} or a number of milliseconds.
     *
     * @param positive whether it must be > 0 (else >= 0)
     * @param meaning  what the value is, for the message
     */
    private static Duration duration(JsonNode node, String field, boolean positive, String meaning) {
        String text = node.isTextual() ? "'" + node.textValue() + "'" : node.toString();
        String rule = field + " must be " + (positive ? "a positive duration" : "a duration >= 0")
                + " such as 500ms, 30s, 1m or PT1M (" + meaning + "), was " + text;
        Duration value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = Duration.ofMillis(node.longValue());
        } else if (node.isTextual() && !node.textValue().trim().startsWith("-")) {
            try {
                value = Durations.parse(node.textValue(), field);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(rule, e);
            }
        } else {
            throw new ConfigException(rule);
        }
        if (value.isNegative() || (positive && value.isZero())) {
            throw new ConfigException(rule);
        }
        return value;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
