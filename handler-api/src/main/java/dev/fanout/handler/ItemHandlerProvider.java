package dev.fanout.handler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The extension point: a named handler type found through {@link java.util.ServiceLoader}. Register an
 * implementation in {@code META-INF/services/dev.fanout.handler.ItemHandlerProvider} and put its jar on the worker's
 * classpath; jobs then name it in {@code handler}.
 */
public interface ItemHandlerProvider {

    /** The handler type name jobs use, e.g. {@code echo}. Lower case letters, digits and '-'. */
    String name();

    /**
     * Creates the handler once per worker.
     *
     * @param settings the worker's settings for this handler (an empty object when it has none)
     * @throws IllegalArgumentException if the settings are invalid, with a message naming the setting
     */
    ItemHandler create(JsonNode settings);

    /**
     * Whether a worker offers this handler under its own name with no settings. Types that need settings (an
     * {@code http} handler needs a URL) return false and are offered only as configured under {@code handlers}.
     */
    default boolean offeredByDefault() {
        return true;
    }

    /**
     * A provider for a handler that needs no settings, for workers embedded in an application (and tests):
     * {@code HandlerCatalog.of(List.of(ItemHandlerProvider.of("greet", item -> ...)))}.
     */
    static ItemHandlerProvider of(String name, ItemHandler handler) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(handler, "handler");
        return new ItemHandlerProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ItemHandler create(JsonNode settings) {
                return handler;
            }
        };
    }
}
