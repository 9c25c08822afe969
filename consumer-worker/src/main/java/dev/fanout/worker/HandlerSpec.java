package dev.fanout.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * One handler a worker offers under a name jobs use: its type (an {@code ItemHandlerProvider} name), its settings,
 * and the named bulkhead and rate limiter its items go through.
 *
 * @param type        the provider name; {@code null} means the handler's own name
 * @param settings    given to the provider once; {@code null} means none
 * @param bulkhead    a name under {@code bulkheads}, or {@code null}
 * @param rateLimiter a name under {@code rateLimiters}, or {@code null}
 */
public record HandlerSpec(String type, JsonNode settings, String bulkhead, String rateLimiter) {

    public HandlerSpec {
        settings = settings == null || settings.isNull() ? JsonNodeFactory.instance.objectNode() : settings;
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
