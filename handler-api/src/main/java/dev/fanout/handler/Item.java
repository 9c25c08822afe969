package dev.fanout.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * What a handler receives: the item's payload, its settings and where it stands in its batch.
 *
 * @param payload  the item's input, never {@code null} ({@link NullNode} when the item had none)
 * @param settings handler settings for this item: the batch's defaults merged with the item's own; an empty object
 *                 when there are none
 * @param context  identity, position, attempt and deadline
 */
public record Item(JsonNode payload, JsonNode settings, ItemContext context) {

    public Item {
        payload = payload == null ? NullNode.getInstance() : payload;
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(context, "context");
    }
}
