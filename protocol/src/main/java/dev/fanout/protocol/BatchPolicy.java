package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * How a batch is fanned back in. Immutable; validated at construction; absent values take the defaults.
 *
 * @param strategy         {@link Strategy}, default {@code wait_all}
 * @param minSuccessRate   0..1, default 1.0: below it the batch is {@code FAILED}
 * @param onPartialFailure what a batch that met {@code minSuccessRate} with failures becomes, default {@code continue}
 * @param totalTimeout     a deadline for the whole batch from its registration, or {@code null} for none
 * @param onTotalTimeout   what the deadline does, default {@code collect_partial}
 * @param onSuccess        where to publish an event when the batch is decided {@code SUCCEEDED} or
 *                         {@code SUCCEEDED_WITH_FAILURES}, or {@code null}
 * @param onError          where to publish an event when it is decided otherwise, or {@code null}
 * @param onFailure        what a batch decided {@code FAILED} or {@code CANCELLED} does about its succeeded items,
 *                         default {@code none}; {@code compensate} runs their {@link Compensation} handlers
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchPolicy(
        Strategy strategy,
        Double minSuccessRate,
        PartialFailurePolicy onPartialFailure,
        Duration totalTimeout,
        TotalTimeoutAction onTotalTimeout,
        ChainTarget onSuccess,
        ChainTarget onError,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OnFailure.Default.class)
        OnFailure onFailure) {

    public static final Strategy DEFAULT_STRATEGY = Strategy.WAIT_ALL;
    public static final double DEFAULT_MIN_SUCCESS_RATE = 1.0;
    public static final PartialFailurePolicy DEFAULT_ON_PARTIAL_FAILURE = PartialFailurePolicy.CONTINUE;
    public static final TotalTimeoutAction DEFAULT_ON_TOTAL_TIMEOUT = TotalTimeoutAction.COLLECT_PARTIAL;
    public static final OnFailure DEFAULT_ON_FAILURE = OnFailure.NONE;

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
        onFailure = onFailure == null ? DEFAULT_ON_FAILURE : onFailure;
    }

    /** A policy without {@code onFailure} (the default, {@code none}). */
    public BatchPolicy(Strategy strategy, Double minSuccessRate, PartialFailurePolicy onPartialFailure,
            Duration totalTimeout, TotalTimeoutAction onTotalTimeout, ChainTarget onSuccess, ChainTarget onError) {
        this(strategy, minSuccessRate, onPartialFailure, totalTimeout, onTotalTimeout, onSuccess, onError, null);
    }

    /** A policy without chaining targets. */
    public BatchPolicy(Strategy strategy, Double minSuccessRate, PartialFailurePolicy onPartialFailure,
            Duration totalTimeout, TotalTimeoutAction onTotalTimeout) {
        this(strategy, minSuccessRate, onPartialFailure, totalTimeout, onTotalTimeout, null, null);
    }

    /**
     * Reads a policy from JSON or YAML. The chaining targets are read here, so their errors name
     * {@code policy.onSuccess} or {@code policy.onError}.
     */
    @JsonCreator
    static BatchPolicy fromJson(
            @JsonProperty("strategy") Strategy strategy,
            @JsonProperty("minSuccessRate") Double minSuccessRate,
            @JsonProperty("onPartialFailure") PartialFailurePolicy onPartialFailure,
            @JsonProperty("totalTimeout") Duration totalTimeout,
            @JsonProperty("onTotalTimeout") TotalTimeoutAction onTotalTimeout,
            @JsonProperty("onSuccess") JsonNode onSuccess,
            @JsonProperty("onError") JsonNode onError,
            @JsonProperty("onFailure") OnFailure onFailure) {
        return new BatchPolicy(strategy, minSuccessRate, onPartialFailure, totalTimeout, onTotalTimeout,
                ChainTarget.parse(onSuccess, "policy.onSuccess"), ChainTarget.parse(onError, "policy.onError"),
                onFailure);
    }

    public static BatchPolicy ofDefaults() {
        return new BatchPolicy(null, null, null, null, null);
    }

    public static BatchPolicy of(Strategy strategy, double minSuccessRate, PartialFailurePolicy onPartialFailure) {
        return new BatchPolicy(strategy, minSuccessRate, onPartialFailure, null, null);
    }

    /** This policy with chaining targets ({@code null} for none). */
    public BatchPolicy withChaining(ChainTarget success, ChainTarget error) {
        return new BatchPolicy(strategy, minSuccessRate, onPartialFailure, totalTimeout, onTotalTimeout, success,
                error, onFailure);
    }

    /** This policy with {@code onFailure} ({@code null} for the default). */
    public BatchPolicy withOnFailure(OnFailure action) {
        return new BatchPolicy(strategy, minSuccessRate, onPartialFailure, totalTimeout, onTotalTimeout, onSuccess,
                onError, action);
    }

    /** Whether a batch decided {@code status} compensates its succeeded items. */
    public boolean compensates(BatchStatus status) {
        return onFailure == OnFailure.COMPENSATE && (status == BatchStatus.FAILED || status == BatchStatus.CANCELLED);
    }

    /** The target for a decided status: {@code onSuccess} for a successful status, else {@code onError}. */
    public ChainTarget chainTargetFor(BatchStatus status) {
        return status.isSuccessful() ? onSuccess : onError;
    }
}
