package dev.fanout.aggregator.internal;

import dev.fanout.config.Durations;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.TotalTimeoutAction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.Optional;

/**
 * When and how a batch is decided: a pure function of its latest definition and its counts.
 *
 * <ul>
 *   <li>No definition yet: never decided (results are counted meanwhile).</li>
 *   <li>{@code fail_fast}: the first unsuccessful item decides {@code FAILED}, sealed or not.</li>
 *   <li>{@code race}: the first success decides {@code SUCCEEDED}, sealed or not; every item unsuccessful decides
 *       {@code FAILED}.</li>
 *   <li>{@code wait_all}: decided when every item is terminal; {@code FAILED} earlier, once the batch is sealed and
 *       {@code minSuccessRate} can no longer be reached.</li>
 *   <li>{@code best_effort}: decided only when every item is terminal.</li>
 *   <li>Every item terminal (needs the sealed total): total 0 or no failures is {@code SUCCEEDED}; a success rate
 *       below {@code minSuccessRate} is {@code FAILED}; otherwise {@code onPartialFailure} decides:
 *       {@code continue} and {@code collect} give {@code SUCCEEDED_WITH_FAILURES}, {@code fail} gives
 *       {@code FAILED}.</li>
 * </ul>
 * The total timeout is separate ({@link #onTotalTimeout}): the aggregator applies it from a wall-clock punctuator.
 */
public final class DecisionRules {

    private DecisionRules() {
    }

    /**
     * Decides a batch if its policy allows it now.
     *
     * @param definition the latest definition, or {@code null} when none has been read yet
     * @return the verdict, or empty while the batch must wait
     */
    public static Optional<Verdict> evaluate(BatchDefinition definition, Tally tally) {
        Objects.requireNonNull(tally, "tally");
        if (definition == null) {
            return Optional.empty();
        }
        BatchPolicy policy = definition.policy();
        boolean sealed = definition.sealed();
        long total = sealed ? definition.total() : -1;
        boolean allTerminal = sealed && tally.finished() >= total;
        return switch (policy.strategy()) {
            case FAIL_FAST -> tally.unsuccessful() > 0
                    ? verdict(BatchStatus.FAILED, tally.firstFailedIndex() != null
                            ? "fail_fast: item " + tally.firstFailedIndex() + " failed"
                            : "fail_fast: " + tally.unsuccessful() + " items failed")
                    : allTerminal ? Optional.of(whenAllTerminal(policy, total, tally)) : Optional.empty();
            case RACE -> {
                if (tally.succeeded() > 0) {
                    yield verdict(BatchStatus.SUCCEEDED,
                            "race: item " + tally.firstSucceededIndex() + " succeeded first");
                }
                if (!allTerminal) {
                    yield Optional.empty();
                }
                yield total == 0
                        ? verdict(BatchStatus.SUCCEEDED, null)
                        : verdict(BatchStatus.FAILED, "race: all " + total + " items failed");
            }
            case WAIT_ALL -> {
                if (allTerminal) {
                    yield Optional.of(whenAllTerminal(policy, total, tally));
                }
                yield sealed && cannotReachMinSuccessRate(policy, total, tally)
                        ? verdict(BatchStatus.FAILED, "wait_all: minSuccessRate " + format(policy.minSuccessRate())
                                + " can no longer be reached (" + tally.unsuccessful() + " of " + total
                                + " items failed)")
                        : Optional.empty();
            }
            case BEST_EFFORT -> allTerminal ? Optional.of(whenAllTerminal(policy, total, tally)) : Optional.empty();
        };
    }

    /** The verdict for a batch whose {@code totalTimeout} passed before it was decided. */
    public static Verdict onTotalTimeout(BatchDefinition definition, Tally tally) {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(tally, "tally");
        BatchPolicy policy = definition.policy();
        String timeout = policy.totalTimeout() == null ? "?" : Durations.format(policy.totalTimeout());
        String total = definition.total() == null ? "?" : String.valueOf(definition.total());
        String reason = "totalTimeout " + timeout + " passed with " + tally.finished() + " of " + total
                + " items finished; onTotalTimeout=" + policy.onTotalTimeout().id();
        BatchStatus status = switch (policy.onTotalTimeout()) {
            case COLLECT_PARTIAL -> BatchStatus.PARTIAL;
            case FAIL -> BatchStatus.FAILED;
            case CANCEL -> BatchStatus.CANCELLED;
        };
        return new Verdict(status, reason);
    }

    /**
     * Whether a decision is made before every item ran, in a way that makes the rest pointless, so that a cancel
     * signal is due: a {@code fail_fast} or {@code race} decision, or a total timeout with {@code cancel} or
     * {@code collect_partial}, while the batch is unsealed or some of its items have no result.
     *
     * @param byTotalTimeout whether the decision is the total timeout's
     */
    public static boolean cancelsTheRest(BatchDefinition definition, Tally tally, boolean byTotalTimeout) {
        Objects.requireNonNull(tally, "tally");
        if (definition == null || definition.sealed() && tally.finished() >= definition.total()) {
            return false;
        }
        BatchPolicy policy = definition.policy();
        if (byTotalTimeout) {
            return policy.onTotalTimeout() == TotalTimeoutAction.CANCEL
                    || policy.onTotalTimeout() == TotalTimeoutAction.COLLECT_PARTIAL;
        }
        return policy.strategy() == Strategy.FAIL_FAST || policy.strategy() == Strategy.RACE;
    }

    /** Success rate as reported: succeeded / total, 0 when the total is 0. */
    public static double successRate(long succeeded, long total) {
        return total <= 0 ? 0.0 : (double) succeeded / total;
    }

    private static Verdict whenAllTerminal(BatchPolicy policy, long total, Tally tally) {
        if (total == 0 || tally.unsuccessful() == 0) {
            return new Verdict(BatchStatus.SUCCEEDED, null);
        }
        String failures = tally.unsuccessful() + " of " + total + " items failed";
        double rate = successRate(tally.succeeded(), total);
        if (rate < policy.minSuccessRate()) {
            return new Verdict(BatchStatus.FAILED, "successRate " + format(rate) + " is below minSuccessRate "
                    + format(policy.minSuccessRate()) + " (" + failures + ")");
        }
        String partial = failures + "; onPartialFailure=" + policy.onPartialFailure().id();
        return switch (policy.onPartialFailure()) {
            case CONTINUE, COLLECT -> new Verdict(BatchStatus.SUCCEEDED_WITH_FAILURES, partial);
            case FAIL -> new Verdict(BatchStatus.FAILED, partial);
        };
    }

    /** Even if every item still running succeeded, the rate would stay below the minimum. */
    private static boolean cannotReachMinSuccessRate(BatchPolicy policy, long total, Tally tally) {
        if (total == 0) {
            return false;
        }
        long best = tally.succeeded() + Math.max(0, total - tally.finished());
        return successRate(best, total) < policy.minSuccessRate();
    }

    private static Optional<Verdict> verdict(BatchStatus status, String reason) {
        return Optional.of(new Verdict(status, reason));
    }

    private static String format(double value) {
        return BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
