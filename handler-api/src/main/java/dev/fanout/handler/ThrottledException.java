package dev.fanout.handler;

import java.time.Duration;
import java.util.Optional;

/**
 * The downstream asked to slow down (an HTTP 429, a quota error): retriable, and a signal for adaptive concurrency
 * to back off.
 */
public class ThrottledException extends RetriableException {

    private final Duration retryAfter;

    /**
     * @param retryAfter how long the downstream asked to wait, or {@code null} if it did not say
     */
    public ThrottledException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
