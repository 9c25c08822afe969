package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the aggregator needs to compensate one succeeded item, carried on that item's {@code SUCCEEDED} result when
 * its job named a {@link Compensation}: the handler and its settings, the job's record key and its payload.
 *
 * @param key     the job's record key (its ordering key), which the compensation job keeps
 * @param payload the item's input
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompensationInput(String handler, JsonNode settings, String key, JsonNode payload) {

    public CompensationInput {
        Envelopes.require(handler, "compensation.handler");
        Objects.requireNonNull(key, "compensation.key");
    }

    /** The input for a job's compensation. */
    public static CompensationInput of(Compensation compensation, String key, JsonNode payload) {
        return new CompensationInput(compensation.handler(), compensation.settings(), key, payload);
    }
}
