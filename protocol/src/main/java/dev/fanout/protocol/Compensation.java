package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The handler that undoes a succeeded item (cancel the order, void the invoice), named by a batch or by one of its
 * items, and run when the batch is decided {@code FAILED} or {@code CANCELLED} under {@code policy.onFailure:
 * compensate}. Validated at construction.
 *
 * @param handler  the handler name, resolved by the workers like any other
 * @param settings its settings (an object), or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Compensation(String handler, JsonNode settings) {

    /** The suffix of a compensation batch's id: {@code <batchId>.compensation}. */
    public static final String BATCH_SUFFIX = ".compensation";

    public Compensation {
        if (handler == null || handler.isBlank()) {
            throw new IllegalArgumentException("compensation.handler is required: name the handler that undoes a"
                    + " succeeded item, e.g. compensation: {handler: refund}");
        }
        if (settings != null && settings.isNull()) {
            settings = null;
        }
        if (settings != null && !settings.isObject()) {
            throw new IllegalArgumentException("compensation.settings must be an object of handler settings, was "
                    + settings);
        }
    }

    /**
     * Reads a {@code compensation} field: an object {@code {handler, settings}}.
     *
     * @param field the field's name in messages, e.g. {@code compensation} or {@code items[3].compensation}
     * @return the compensation, or {@code null} when the field is absent or null
     * @throws IllegalArgumentException naming the field and the fix
     */
    public static Compensation parse(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(field + " must be an object {handler, settings}, e.g. " + field
                    + ": {handler: refund}, was " + node);
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!name.equals("handler") && !name.equals("settings")) {
                throw new IllegalArgumentException(field + " has an unknown field '" + name
                        + "'; it has handler and settings");
            }
        });
        JsonNode handler = node.get("handler");
        try {
            return new Compensation(handler == null || !handler.isTextual() ? null : handler.asText(),
                    node.get("settings"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^compensation", field), e);
        }
    }

    /** The id of the compensation batch of {@code batchId}. */
    public static String batchIdOf(String batchId) {
        return batchId + BATCH_SUFFIX;
    }
}
