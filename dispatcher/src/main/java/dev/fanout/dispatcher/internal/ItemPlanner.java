package dev.fanout.dispatcher.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.ConfigException;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.InvalidItemException;
import dev.fanout.dispatcher.HandlerNames;
import dev.fanout.protocol.Compensation;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.OnFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns the user's items into job records: index, id, ordering key, handler, merged settings, expiry and the batch's
 * execution settings (left off the record when nothing is set), checking each against the batch (known handler,
 * unique id, key present). One planner per pass over the items: it remembers the ids it has seen (memory grows with
 * the items that have an {@code id}, not with the others).
 */
public final class ItemPlanner {

    private final BatchSpec spec;
    private final HandlerNames handlers;
    private final Duration queueTimeout;
    private final ItemExecution execution;
    private final JsonPointer keyPointer;
    private final Set<String> ids = new HashSet<>();

    /**
     * @throws ConfigException if the batch's own handler is unknown
     */
    public ItemPlanner(BatchSpec spec, HandlerNames handlers) {
        this.spec = spec;
        this.handlers = handlers;
        this.queueTimeout = spec.queue().timeout();
        this.execution = spec.execution().isEmpty() ? null : spec.execution();
        this.keyPointer = spec.keyField() == null ? null : JsonPointer.compile(spec.keyField());
        if (!handlers.accepts(spec.handler())) {
            throw new ConfigException(handlers.unknown("handler", spec.handler()));
        }
        if (spec.compensation() != null && !handlers.accepts(spec.compensation().handler())) {
            throw new ConfigException(handlers.unknown("compensation.handler", spec.compensation().handler()));
        }
    }

    /** A job with its record key. */
    public record Planned(String key, JobRecord job) {
    }

    /**
     * Plans one item.
     *
     * @param position where the item came from ({@code stdin line 7}), or empty; asked only for an error message
     * @throws InvalidItemException naming the item and the field
     */
    public Planned plan(long index, DispatchItem item, Long total, Instant now, Supplier<String> position) {
        String handler = item.handler() == null ? spec.handler() : checkHandler(item.handler(), index, item, position);
        String key = item.key() != null ? item.key() : keyOf(item.payload(), index, item, position);
        checkId(index, item, position);
        String itemId = item.id() == null ? Long.toString(index) : item.id();
        Compensation compensation = compensationOf(index, item, position);
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, spec.batchId(), itemId, index, total, handler,
                settings(item.settings()), item.payload(), JobRecord.defaultTraceId(spec.batchId(), index), 1, now,
                queueTimeout == null ? null : now.plus(queueTimeout), execution, compensation);
        return new Planned(key == null ? itemId : key, job);
    }

    /**
     * Checks an item exactly as {@link #plan} does, without building its job: for a validation pass.
     *
     * @throws InvalidItemException naming the item and the field
     */
    public void check(long index, DispatchItem item, Supplier<String> position) {
        if (item.handler() != null) {
            checkHandler(item.handler(), index, item, position);
        }
        if (item.key() == null) {
            keyOf(item.payload(), index, item, position);
        }
        checkId(index, item, position);
        compensationOf(index, item, position);
    }

    /**
     * The compensation the item's job carries: the item's own, else the batch's, and only under
     * {@code policy.onFailure: compensate}.
     *
     * @throws InvalidItemException when the policy and the item disagree, naming the field and the fix
     */
    private Compensation compensationOf(long index, DispatchItem item, Supplier<String> position) {
        boolean compensates = spec.policy().onFailure() == OnFailure.COMPENSATE;
        if (!compensates) {
            if (item.compensation() != null) {
                throw new InvalidItemException(where(index, item, position), "item field 'compensation' names the"
                        + " handler '" + item.compensation().handler() + "', but policy.onFailure is "
                        + spec.policy().onFailure().id() + ": set policy.onFailure: compensate, or remove it");
            }
            return null;
        }
        Compensation compensation = item.compensation() != null ? item.compensation() : spec.compensation();
        if (compensation == null) {
            throw new InvalidItemException(where(index, item, position), "policy.onFailure is compensate, but"
                    + " neither the item nor the batch names a compensation: add compensation: {handler: NAME} to"
                    + " the batch, or to this item");
        }
        if (!handlers.accepts(compensation.handler())) {
            throw new InvalidItemException(where(index, item, position),
                    handlers.unknown("compensation.handler", compensation.handler()));
        }
        return compensation;
    }

    private void checkId(long index, DispatchItem item, Supplier<String> position) {
        if (item.id() != null && !ids.add(item.id())) {
            throw new InvalidItemException(where(index, item, position), "id '" + item.id()
                    + "' is used twice; ids must be unique in a batch");
        }
    }

    /** The same job, published at {@code now} instead: its {@code createdAt} and {@code expiresAt} move. */
    public Planned restamp(Planned planned, Instant now) {
        JobRecord job = planned.job();
        return new Planned(planned.key(), new JobRecord(job.schemaVersion(), job.batchId(), job.itemId(), job.index(),
                job.total(), job.handler(), job.settings(), job.payload(), job.traceId(), job.attempt(), now,
                queueTimeout == null ? null : now.plus(queueTimeout), job.execution(), job.compensation()));
    }

    private String keyOf(JsonNode payload, long index, DispatchItem item, Supplier<String> position) {
        if (keyPointer == null) {
            return null;
        }
        JsonNode value = payload.at(keyPointer);
        if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
            throw new InvalidItemException(where(index, item, position), "keyField " + spec.keyField()
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

    private String checkHandler(String name, long index, DispatchItem item, Supplier<String> position) {
        if (!handlers.accepts(name)) {
            throw new InvalidItemException(where(index, item, position), handlers.unknown("handler", name));
        }
        return name;
    }

    /** {@code stdin line 7, item 5 (id a7)}: where an invalid item is. */
    private static String where(long index, DispatchItem item, Supplier<String> position) {
        String line = position.get();
        return (line.isEmpty() ? "" : line + ", ") + "item " + index + (item.id() == null ? "" : " (id " + item.id() + ")");
    }
}
