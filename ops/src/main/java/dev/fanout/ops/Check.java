package dev.fanout.ops;

import java.util.Objects;

/**
 * The answer of a health check: passing, or failing with a reason an operator can act on.
 *
 * @param passing whether the check passes
 * @param reason  why it fails (empty when it passes)
 */
public record Check(boolean passing, String reason) {

    private static final Check PASSING = new Check(true, "");

    public Check {
        Objects.requireNonNull(reason, "reason");
    }

    public static Check ok() {
        return PASSING;
    }

    public static Check failing(String reason) {
        return new Check(false, Objects.requireNonNull(reason, "reason"));
    }

    /** This check, or {@code next} if this one passes: the first failure of a chain wins. */
    public Check and(Check next) {
        return passing ? next : this;
    }
}
