package dev.fanout.worker;

import dev.fanout.protocol.TimeoutPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * One handler a worker offers under a name jobs use: its type (an {@code ItemHandlerProvider} name), its settings,
 * and the named bulkhead and rate limiter its items go through.
 *
 * @param type        the provider name; {@code null} means the handler's own name
 * @param settings    given to the provider once; {@code null} means none
 * @param bulkhead    a name under {@code bulkheads}, or {@code null}
 * @param rateLimiter a name under {@code rateLimiters}, or {@code null}
 * @param timeout     how long one attempt may run, or {@code null} for no limit
 * @param onTimeout   what a timeout does (default {@code error})
 * @param retry       how failed attempts are retried (default: not at all)
 */
public record HandlerSpec(String type, JsonNode settings, String bulkhead, String rateLimiter, Duration timeout,
        TimeoutPolicy onTimeout, RetryPolicy retry) {

    public HandlerSpec {
        settings = settings == null || settings.isNull() ? JsonNodeFactory.instance.objectNode() : settings;
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new ConfigException("handlers.<name>.timeout must be positive, was " + timeout);
        }
        onTimeout = Objects.requireNonNullElse(onTimeout, TimeoutPolicy.ERROR);
        retry = Objects.requireNonNullElse(retry, RetryPolicy.none());
    }

    /** A handler with settings and limits, and no timeout or retries. */
    public HandlerSpec(String type, JsonNode settings, String bulkhead, String rateLimiter) {
        this(type, settings, bulkhead, rateLimiter, null, null, null);
    }

    /** A handler of the given type with no settings and no limits. */
    public static HandlerSpec of(String type) {
        return new HandlerSpec(type, null, null, null);
    }

    /** The provider name, given the name the handler is offered under. */
    public String typeOr(String name) {
        return type == null ? name : type;
    }
}
