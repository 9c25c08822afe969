package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * A batch's retry policy as it travels on each job record. Every field is optional: a missing one falls back to the
 * handler's own policy on the worker, then to the worker's defaults (one attempt, 1 s, x2.0, at most 1 min).
 *
 * @param initialInterval    the wait before the first retry
 * @param backoffCoefficient how much each wait grows (>= 1.0)
 * @param maximumInterval    the longest wait
 * @param maximumAttempts    attempts in all, the first included (>= 1)
 * @param nonRetryable       error types (simple or fully qualified class names) never retried
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetrySettings(Duration initialInterval, Double backoffCoefficient, Duration maximumInterval,
        Integer maximumAttempts, List<String> nonRetryable) {

    public RetrySettings {
        if (initialInterval != null && initialInterval.isNegative()) {
            throw new IllegalArgumentException("retry.initialInterval must be >= 0, was " + initialInterval);
        }
        if (backoffCoefficient != null && !(backoffCoefficient >= 1.0)) {
            throw new IllegalArgumentException("retry.backoffCoefficient must be >= 1.0, was " + backoffCoefficient);
        }
        if (maximumInterval != null && maximumInterval.isNegative()) {
            throw new IllegalArgumentException("retry.maximumInterval must be >= 0, was " + maximumInterval);
        }
        if (initialInterval != null && maximumInterval != null && maximumInterval.compareTo(initialInterval) < 0) {
            throw new IllegalArgumentException("retry.maximumInterval must be >= retry.initialInterval ("
                    + initialInterval + "), was " + maximumInterval);
        }
        if (maximumAttempts != null && maximumAttempts < 1) {
            throw new IllegalArgumentException("retry.maximumAttempts must be >= 1, was " + maximumAttempts);
        }
        nonRetryable = nonRetryable == null ? null : List.copyOf(nonRetryable);
    }
}
