package dev.fanout.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.ConfigException;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Turns the user's items into job records: index, id, ordering key, handler and merged settings, checking each
 * against the batch (known handler, unique id, key present). One planner per pass over the items.
 */
final class ItemPlanner {

    private final BatchSpec spec;
    private final HandlerCatalog catalog;
    private final Set<String> ids = new HashSet<>();

    ItemPlanner(BatchSpec spec, HandlerCatalog catalog) {
        this.spec = spec;
        this.catalog = catalog;
        checkHandler(spec.handler(), "handler");
    }

    /** A job with its record key. */
    record Planned(String key, JobRecord job) {
    }

    Planned plan(long index, DispatchItem item, Long total, Instant now) {
        String where = "item " + index + (item.id() == null ? "" : " (id " + item.id() + ")");
        String handler = item.handler() == null ? spec.handler() : checkHandler(item.handler(), where + ": handler");
        String itemId = item.id() == null ? Long.toString(index) : item.id();
        if (item.id() != null && !ids.add(item.id())) {
            throw new ConfigException(where + ": id '" + item.id() + "' is used twice; ids must be unique in a batch");
        }
        String key = item.key() != null ? item.key() : keyOf(item.payload(), where);
        return new Planned(key == null ? itemId : key, new JobRecord(Envelopes.SCHEMA_VERSION, spec.batchId(),
                itemId, index, total, handler, settings(item.settings()), item.payload(),
                JobRecord.defaultTraceId(spec.batchId(), index), 1, now));
    }

    private String keyOf(JsonNode payload, String where) {
        if (spec.keyField() == null) {
            return null;
        }
        JsonNode value = payload.at(spec.keyField());
        if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
            throw new ConfigException(where + ": keyField " + spec.keyField()
                    + " is missing or not a value in the payload; add it, or give the item a 'key'");
        }
        return value.asText();
    }

    private JsonNode settings(JsonNode own) {
        JsonNode defaults = spec.settings();
        if (own == null) {
            return defaults == null || defaults.isNull() ? null : defaults;
        }
        if (defaults == null || defaults.isNull()) {
            return own;
        }
        ObjectNode merged = ((ObjectNode) defaults).deepCopy();
        merged.setAll((ObjectNode) own);
        return merged;
    }

    private String checkHandler(String name, String field) {
        if (!catalog.contains(name)) {
            throw new ConfigException(field + " '" + name + "' is unknown; known handlers: "
                    + String.join(", ", catalog.names()) + " (a custom handler's jar must be on the classpath)");
        }
        return name;
    }
}
