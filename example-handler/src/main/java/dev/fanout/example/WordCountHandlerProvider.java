package dev.fanout.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import java.util.Locale;

/**
 * {@code word-count}: counts the words of the payload's {@code text}. Settings: {@code lowercase} (default true)
 * decides whether "The" and "the" are one word. An item without text is a permanent failure: no retry can fix it.
 */
public final class WordCountHandlerProvider implements ItemHandlerProvider {

    @Override
    public String name() {
        return "word-count";
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        JsonNode lowercase = settings.path("lowercase");
        if (!lowercase.isMissingNode() && !lowercase.isBoolean()) {
            throw new IllegalArgumentException("word-count.lowercase must be true or false, was " + lowercase);
        }
        boolean fold = lowercase.asBoolean(true);
        return item -> count(item, fold);
    }

    private static JsonNode count(Item item, boolean fold) {
        JsonNode text = item.payload().path("text");
        if (!text.isTextual()) {
            throw new PermanentException("item " + item.context().index() + " has no text to count");
        }
        ObjectNode counts = JsonNodeFactory.instance.objectNode();
        for (String word : text.asText().split("\\W+")) {
            if (!word.isEmpty()) {
                String key = fold ? word.toLowerCase(Locale.ROOT) : word;
                counts.put(key, counts.path(key).asInt(0) + 1);
            }
        }
        return counts;
    }
}
