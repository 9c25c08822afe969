package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.ConfigException;
import java.util.OptionalLong;

/** The {@code items} array of a batch file. */
public final class InlineItems implements ItemSource {

    private final JsonNode items;
    private int position;

    public InlineItems(JsonNode items) {
        if (items == null || !items.isArray()) {
            throw new ConfigException("items must be a list, was " + (items == null ? "missing" : items.getNodeType()));
        }
        this.items = items;
    }

    @Override
    public DispatchItem next() {
        if (position >= items.size()) {
            return null;
        }
        int index = position++;
        return DispatchItem.fromJson(items.get(index), position());
    }

    @Override
    public String position() {
        return position == 0 ? "" : "items[" + (position - 1) + "]";
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.of(items.size());
    }

    @Override
    public void close() {
        // nothing to release
    }
}
