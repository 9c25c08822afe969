package dev.fanout.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.schema.OutputSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled output schemas, most recently used first: a batch's schema travels on every job record, and compiling it
 * once per distinct schema keeps the per-item cost to one validation.
 */
final class OutputSchemas {

    static final int CAPACITY = 64;

    private final Map<JsonNode, OutputSchema> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<JsonNode, OutputSchema> eldest) {
            return size() > CAPACITY;
        }
    };

    /**
     * @throws IllegalArgumentException when the schema is not a valid JSON Schema
     */
    OutputSchema compiled(JsonNode schema) {
        synchronized (cache) {
            OutputSchema compiled = cache.get(schema);
            if (compiled != null) {
                return compiled;
            }
        }
        OutputSchema compiled = OutputSchema.compile(schema); // outside the lock: no carrier pinned while it runs
        synchronized (cache) {
            cache.putIfAbsent(schema, compiled);
        }
        return compiled;
    }
}
