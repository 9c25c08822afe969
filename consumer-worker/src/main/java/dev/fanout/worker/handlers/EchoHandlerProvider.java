package dev.fanout.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;

/** {@code echo}: the output is the item's payload. */
public final class EchoHandlerProvider implements ItemHandlerProvider {

    public static final String NAME = "echo";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        return item -> item.payload();
    }
}
