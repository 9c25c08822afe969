package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import dev.fanout.handler.PermanentException;
import dev.fanout.protocol.RetrySettings;

/**
 * How a handler's failed items are retried inside the worker: {@code maximumAttempts} in all, waiting
 * {@code initialInterval x backoffCoefficient^(n-1)} (at most {@code maximumInterval}, with +-20% jitter) between
 * attempts, or longer when a {@code ThrottledException} asks for it. {@code PermanentException} and the error types in
 * {@code nonRetryable} are never retried.
 */
public record RetryPolicy(Duration initialInterval, Double backoffCoefficient, Duration maximumInterval,
        Integer maximumAttempts, List<String> nonRetryable) {

    public static final Duration DEFAULT_INITIAL_INTERVAL = Duration.ofSeconds(1);
    public static final double DEFAULT_BACKOFF_COEFFICIENT = 2.0;
    public static final Duration DEFAULT_MAXIMUM_INTERVAL = Duration.ofMinutes(1);
    /** One attempt: no retries unless a policy asks for them. */
    public static final int DEFAULT_MAXIMUM_ATTEMPTS = 1;

    public RetryPolicy {
        initialInterval = Objects.requireNonNullElse(initialInterval, DEFAULT_INITIAL_INTERVAL);
        backoffCoefficient = Objects.requireNonNullElse(backoffCoefficient, DEFAULT_BACKOFF_COEFFICIENT);
        maximumInterval = Objects.requireNonNullElse(maximumInterval, DEFAULT_MAXIMUM_INTERVAL);
        maximumAttempts = Objects.requireNonNullElse(maximumAttempts, DEFAULT_MAXIMUM_ATTEMPTS);
        nonRetryable = List.copyOf(Objects.requireNonNullElse(nonRetryable, List.of()));
        if (initialInterval.isNegative()) {
            throw new ConfigException("retry.initialInterval must be >= 0, was " + initialInterval);
        }
        if (backoffCoefficient < 1.0) {
            throw new ConfigException("retry.backoffCoefficient must be >= 1.0, was " + backoffCoefficient);
        }
        if (maximumInterval.compareTo(initialInterval) < 0) {
            throw new ConfigException("retry.maximumInterval must be >= initialInterval (" + initialInterval
                    + "), was " + maximumInterval);
        }
        if (maximumAttempts < 1) {
            throw new ConfigException("retry.maximumAttempts must be >= 1, was " + maximumAttempts);
        }
    }

    /** This policy with every field the batch sets replaced by the batch's value ({@code null}: this one). */
    public RetryPolicy overriddenBy(RetrySettings batch) {
        if (batch == null) {
            return this;
        }
        Duration initial = Objects.requireNonNullElse(batch.initialInterval(), initialInterval);
        if (batch.initialInterval() == null && batch.maximumInterval() != null
                && batch.maximumInterval().compareTo(initial) < 0) {
            initial = batch.maximumInterval(); // the batch caps every wait, the first one too
        }
        Duration maximum = batch.maximumInterval() != null ? batch.maximumInterval()
                : maximumInterval.compareTo(initial) < 0 ? initial : maximumInterval;
        return new RetryPolicy(initial, Objects.requireNonNullElse(batch.backoffCoefficient(), backoffCoefficient),
                maximum, Objects.requireNonNullElse(batch.maximumAttempts(), maximumAttempts),
                Objects.requireNonNullElse(batch.nonRetryable(), nonRetryable));
    }

    public static RetryPolicy none() {
        return new RetryPolicy(null, null, null, null, null);
    }

    /**
     * The wait before attempt {@code next} (2 for the first retry), before jitter.
     */
    public Duration backoff(int next) {
        double millis = initialInterval.toMillis() * Math.pow(backoffCoefficient, Math.max(0, next - 2));
        return Duration.ofMillis((long) Math.min(millis, maximumInterval.toMillis()));
    }

    /** Whether an error of this type may be retried (PermanentException never is). */
    public boolean retries(Throwable error) {
        if (error instanceof PermanentException) {
            return false;
        }
        for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
            if (nonRetryable.contains(type.getName()) || nonRetryable.contains(type.getSimpleName())) {
                return false;
            }
        }
        return true;
    }
}
