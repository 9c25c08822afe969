package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * How a batch is fanned back in. Immutable; validated at construction; absent values take the defaults.
 *
 * @param strategy         {@link Strategy}, default {@code wait_all}
 * @param minSuccessRate   0..1, default 1.0: below it the batch is {@code FAILED}
 * @param onPartialFailure what a batch that met {@code minSuccessRate} with failures becomes, default {@code continue}
 * @param totalTimeout     a deadline for the whole batch from its registration, or {@code null} for none
 * @param onTotalTimeout   what the deadline does, default {@code collect_partial}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchPolicy(
        Strategy strategy,
        Double minSuccessRate,
        PartialFailurePolicy onPartialFailure,
        Duration totalTimeout,
        TotalTimeoutAction onTotalTimeout) {

    public static final Strategy DEFAULT_STRATEGY = Strategy.WAIT_ALL;
    public static final double DEFAULT_MIN_SUCCESS_RATE = 1.0;
    public static final PartialFailurePolicy DEFAULT_ON_PARTIAL_FAILURE = PartialFailurePolicy.CONTINUE;
    public static final TotalTimeoutAction DEFAULT_ON_TOTAL_TIMEOUT = TotalTimeoutAction.COLLECT_PARTIAL;

    public BatchPolicy {
        strategy = strategy == null ? DEFAULT_STRATEGY : strategy;
        minSuccessRate = minSuccessRate == null ? DEFAULT_MIN_SUCCESS_RATE : minSuccessRate;
        if (minSuccessRate.isNaN() || minSuccessRate < 0 || minSuccessRate > 1) {
            throw new IllegalArgumentException("policy.minSuccessRate must be between 0 and 1, was " + minSuccessRate);
        }
        onPartialFailure = onPartialFailure == null ? DEFAULT_ON_PARTIAL_FAILURE : onPartialFailure;
        if (totalTimeout != null && (totalTimeout.isNegative() || totalTimeout.isZero())) {
            throw new IllegalArgumentException("policy.totalTimeout must be positive, was " + totalTimeout);
        }
        onTotalTimeout = onTotalTimeout == null ? DEFAULT_ON_TOTAL_TIMEOUT : onTotalTimeout;
    }

    public static BatchPolicy ofDefaults() {
        return new BatchPolicy(null, null, null, null, null);
    }

    public static BatchPolicy of(Strategy strategy, double minSuccessRate, PartialFailurePolicy onPartialFailure) {
        return new BatchPolicy(strategy, minSuccessRate, onPartialFailure, null, null);
    }
}
