package dev.fanout.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.ConfigException;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The handlers one worker runs: one instance per handler type on the classpath, created with the worker's settings. */
public final class HandlerRegistry {

    private final Map<String, ItemHandler> handlers;

    private HandlerRegistry(Map<String, ItemHandler> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    /**
     * Creates every handler in the catalog.
     *
     * @param settings per handler name; a name the catalog does not know is a configuration error
     * @throws ConfigException naming the handler and the setting when a handler refuses its settings
     */
    public static HandlerRegistry create(HandlerCatalog catalog, Map<String, JsonNode> settings) {
        for (String name : settings.keySet()) {
            if (!catalog.contains(name)) {
                throw new ConfigException("handlers." + name + ": unknown handler; known handlers: "
                        + String.join(", ", catalog.names()) + " (put a custom handler's jar on the classpath)");
            }
        }
        Map<String, ItemHandler> handlers = new TreeMap<>();
        for (Map.Entry<String, ItemHandlerProvider> entry : catalog.asMap().entrySet()) {
            JsonNode own = settings.getOrDefault(entry.getKey(), JsonNodeFactory.instance.objectNode());
            try {
                handlers.put(entry.getKey(), entry.getValue().create(own));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("handlers." + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return new HandlerRegistry(handlers);
    }

    public Optional<ItemHandler> find(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(handlers.keySet());
    }
}
