package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;

/**
 * How a batch wants its items run, carried on each job record so any worker can honour it without another lookup.
 * Every field is optional; a missing one keeps the worker's per-handler setting.
 *
 * @param retry           the batch's retry policy, field by field over the handler's
 * @param timeout         per-attempt timeout, over the handler's
 * @param onTimeout       what a timeout does ({@code error}, {@code cancel}, {@code continue}), over the handler's
 * @param outputSchema    a JSON Schema every output must match, or the item fails with {@code OUTPUT_INVALID}
 *                        (checked in full by the {@code output-schema} module at submission)
 * @param deadLetterQueue {@code false} records failures in the result only, without a dead letter
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemExecution(RetrySettings retry, Duration timeout, TimeoutPolicy onTimeout, JsonNode outputSchema,
        Boolean deadLetterQueue) {

    public ItemExecution {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
        }
        if (outputSchema != null && !outputSchema.isObject() && !outputSchema.isBoolean()) {
            throw new IllegalArgumentException("outputSchema must be a JSON Schema object (or true/false), was "
                    + outputSchema.getNodeType().name().toLowerCase(Locale.ROOT));
        }
    }

    /** Whether failures of these items get a dead letter (the default) or are recorded in the result only. */
    public boolean deadLetters() {
        return deadLetterQueue == null || deadLetterQueue;
    }

    /** Whether nothing is set: such a value is left off the job record. */
    @JsonIgnore
    public boolean isEmpty() {
        return retry == null && timeout == null && onTimeout == null && outputSchema == null
                && deadLetterQueue == null;
    }
}
