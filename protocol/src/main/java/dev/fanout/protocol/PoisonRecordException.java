package dev.fanout.protocol;

import java.util.Objects;

/**
 * A record that is not a valid envelope: it cannot be processed and goes to the dead-letter topic with its raw bytes
 * and {@link #reason()}. Never retried.
 */
public final class PoisonRecordException extends RuntimeException {

    private final FailureReason reason;

    public PoisonRecordException(FailureReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public PoisonRecordException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public FailureReason reason() {
        return reason;
    }
}
