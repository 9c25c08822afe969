package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.protocol.Lane;
import java.util.List;
import java.util.Objects;

/** Handler catalogs for dispatcher tests (the real handlers live in the worker module). */
public final class TestCatalogs {

    private TestCatalogs() {
    }

    public static HandlerCatalog of(String... names) {
        return HandlerCatalog.of(List.of(names).stream().map(TestCatalogs::provider).toList());
    }

    /** The names of {@link #of} as a planner checks them. */
    public static HandlerNames names(String... names) {
        return HandlerResolver.classpath(of(names)).namesFor(Lane.NORMAL);
    }

    private static ItemHandlerProvider provider(String name) {
        Objects.requireNonNull(name);
        return new ItemHandlerProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ItemHandler create(JsonNode settings) {
                return item -> item.payload();
            }
        };
    }
}
