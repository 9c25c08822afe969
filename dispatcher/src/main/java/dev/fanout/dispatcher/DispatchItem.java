package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.protocol.Compensation;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One item as written by the user, before it gets its index. An item is either a bare payload (any JSON value that
 * is not an object with a {@code payload} field) or an item object:
 * {@code {"payload": ..., "id": "a1", "key": "customer-7", "handler": "echo", "settings": {...},
 * "compensation": {"handler": "refund"}}}.
 *
 * @param id       unique in the batch; the index when absent
 * @param key      the ordering key; overrides the batch's {@code keyField}
 * @param handler  overrides the batch's handler
 * @param settings merged over the batch's handler settings
 * @param compensation replaces the batch's {@code compensation} for this item; {@code null} for the batch's
 */
public record DispatchItem(String id, String key, String handler, JsonNode settings, JsonNode payload,
        Compensation compensation) {

    static final Set<String> FIELDS = Set.of("payload", "id", "key", "handler", "settings", "compensation");

    public DispatchItem {
        payload = payload == null ? NullNode.getInstance() : payload;
    }

    /** An item without a compensation of its own. */
    public DispatchItem(String id, String key, String handler, JsonNode settings, JsonNode payload) {
        this(id, key, handler, settings, payload, null);
    }

    public static DispatchItem of(JsonNode payload) {
        return new DispatchItem(null, null, null, null, payload);
    }

    /**
     * Reads an item.
     *
     * @param where for messages, e.g. {@code items[3]} or {@code line 12}
     * @throws InvalidItemException naming the place and the field
     */
    public static DispatchItem fromJson(JsonNode node, String where) {
        return fromJson(node, () -> where);
    }

    /**
     * Reads an item.
     *
     * @param position for messages, e.g. {@code line 12}; asked only when the item is invalid
     * @throws InvalidItemException naming the place and the field
     */
    public static DispatchItem fromJson(JsonNode node, Supplier<String> position) {
        if (node == null || !node.isObject() || !node.has("payload")) {
            return of(node);
        }
        String where = position.get();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidItemException(where, "unknown item field '" + name + "'; an item object has "
                        + "payload, id, key, handler, settings, compensation (put other data inside payload)");
            }
        }
        return new DispatchItem(
                text(node, "id", where),
                text(node, "key", where),
                text(node, "handler", where),
                settings(node, where),
                node.get("payload"),
                compensation(node, where));
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual() && !value.asText().isBlank()) {
            return value.asText();
        }
        if (value.isIntegralNumber() && !field.equals("handler")) {
            return value.asText();
        }
        throw new InvalidItemException(where, "item field '" + field + "' must be non-empty text, was " + value);
    }

    private static Compensation compensation(JsonNode node, String where) {
        try {
            return Compensation.parse(node.get("compensation"), "compensation");
        } catch (IllegalArgumentException e) {
            throw new InvalidItemException(where, e.getMessage());
        }
    }

    private static JsonNode settings(JsonNode node, String where) {
        JsonNode value = node.get("settings");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new InvalidItemException(where, "item field 'settings' must be an object, was " + value);
        }
        return value;
    }
}
