package dev.fanout.dispatcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.StrictMapper;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Lane;
import java.nio.file.Path;
import java.util.UUID;

/**
 * What a user submits besides the items: a batch file (YAML or JSON) without its {@code items}. Immutable and
 * validated at construction.
 *
 * <pre>
 * batchId: orders-2026-11-22     # optional: generated when absent
 * handler: simulate               # required: the handler every item runs unless it names its own
 * settings: {latencyMs: 20}       # optional: handler settings, an item's own settings override them
 * priority: normal                # high | normal | low
 * keyField: /customerId           # optional JSON pointer into each payload: the ordering key
 * policy: {strategy: best_effort, minSuccessRate: 0.95}
 * items: [...]                    # optional here: or JSON Lines from a file or stdin
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchSpec(String batchId, String handler, JsonNode settings, Lane priority, String keyField,
        BatchPolicy policy) {

    public static final String BATCH_ID_PATTERN = "[A-Za-z0-9._-]{1,128}";

    public BatchSpec {
        if (batchId != null && !batchId.matches(BATCH_ID_PATTERN)) {
            throw new ConfigException("batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was '" + batchId
                    + "'");
        }
        if (handler == null || handler.isBlank()) {
            throw new ConfigException("handler is required: name the handler every item runs (e.g. handler: echo)");
        }
        if (settings != null && !settings.isNull() && !settings.isObject()) {
            throw new ConfigException("settings must be an object of handler settings, was " + settings);
        }
        priority = priority == null ? Lane.NORMAL : priority;
        if (keyField != null && !keyField.startsWith("/")) {
            throw new ConfigException("keyField must be a JSON pointer starting with '/', e.g. /customerId, was '"
                    + keyField + "'");
        }
        policy = policy == null ? BatchPolicy.ofDefaults() : policy;
    }

    public static BatchSpec of(String handler) {
        return new BatchSpec(null, handler, null, null, null, null);
    }

    public BatchSpec withBatchId(String id) {
        return new BatchSpec(id, handler, settings, priority, keyField, policy);
    }

    public BatchSpec withSettings(JsonNode newSettings) {
        return new BatchSpec(batchId, handler, newSettings, priority, keyField, policy);
    }

    public BatchSpec withPolicy(BatchPolicy newPolicy) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, newPolicy);
    }

    public BatchSpec withKeyField(String pointer) {
        return new BatchSpec(batchId, handler, settings, priority, pointer, policy);
    }

    /** This spec with a batch id: its own, or a new {@code b-<random>} one. */
    public BatchSpec withIdAssigned() {
        return batchId != null ? this : withBatchId("b-" + UUID.randomUUID().toString().substring(0, 13));
    }

    /**
     * A parsed batch file: its spec and, if it has them, its inline items.
     *
     * @param items the {@code items} array, or {@code null}
     */
    public record File(BatchSpec spec, JsonNode items) {

        /** Reads a batch file strictly: unknown fields, wrong types and invalid values name the field. */
        public static File read(Path path) {
            JsonNode tree = StrictMapper.readTree(path);
            if (!tree.isObject()) {
                throw new ConfigException(path + ": a batch file is an object with handler, policy and items");
            }
            ObjectNode spec = ((ObjectNode) tree).deepCopy();
            JsonNode items = spec.remove("items");
            return new File(StrictMapper.convert(spec, BatchSpec.class, path.toString(), ""), items);
        }
    }
}
