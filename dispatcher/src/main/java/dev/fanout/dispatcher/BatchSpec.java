package dev.fanout.dispatcher;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.config.StrictMapper;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Compensation;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.OnFailure;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.protocol.TimeoutPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * What a user submits besides the items: a batch file (YAML or JSON) without its {@code items}. Immutable and
 * validated at construction; every message names the field, the bad value and the rule.
 *
 * <pre>
 * batchId: orders-2026-11-22     # optional: generated when absent
 * handler: simulate               # required: the handler every item runs unless it names its own
 * settings: {latencyMs: 20}       # optional: handler settings, an item's own settings override them
 * priority: normal                # high | normal | low: the jobs lane
 * keyField: /customerId           # optional JSON pointer into each payload: the ordering key
 * policy: {strategy: best_effort, minSuccessRate: 0.95}
 * maxConcurrency: 50              # optional: at most 50 items published and without a result at any time
 * batchSize: 100                  # optional, with delayBetweenBatches: publish 100 items, then pause 2 s
 * delayBetweenBatches: 2s
 * rateLimit: 500                  # optional: publish at most 500 items per second
 * queue: {maxSize: 10000, timeout: 10m}   # optional: lane backlog bound, and how long an item may wait
 * retry: {initialInterval: 1s, backoffCoefficient: 2.0, maximumInterval: 1m, maximumAttempts: 5,
 *         nonRetryable: [IllegalArgumentException]}   # optional: over each handler's retry policy
 * timeout: 30s                    # optional: per attempt of an item, over the handler's timeout
 * onTimeout: error                # optional: error (retry applies) | cancel (TIMED_OUT) | continue
 * outputSchema: {type: object, required: [total]}     # optional JSON Schema: else the item fails OUTPUT_INVALID
 * deadLetterQueue: false          # optional: failures recorded in the results only, no dead letters
 * compensation: {handler: refund, settings: {...}}   # optional, with policy.onFailure: compensate: undoes each
 *                                 # succeeded item when the batch is decided FAILED or CANCELLED
 * items: [...]                    # optional here: or JSON Lines from a file or stdin
 * </pre>
 *
 * @param maxConcurrency      items of this batch outstanding (published, no result yet) at most, or {@code null}
 * @param batchSize           items published in a group before a pause of {@code delayBetweenBatches}, or
 *                            {@code null}
 * @param delayBetweenBatches the pause after each group of {@code batchSize} items, or {@code null}
 * @param rateLimit           items published per second at most, or {@code null}
 * @param queue               lane backlog bound and item timeout; never null (empty bounds when absent)
 * @param execution           how workers run each item (retry policy, per-attempt timeout, output schema, dead
 *                            letters), over their per-handler settings; carried on every job record; never null
 *                            (nothing set when absent). Its output schema is compiled here, so a bad one is refused
 *                            before anything is published
 * @param compensation        the handler that undoes a succeeded item of a failed batch, or {@code null}; needs
 *                            {@code policy.onFailure: compensate}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchSpec(String batchId, String handler, JsonNode settings, Lane priority, String keyField,
        BatchPolicy policy, Integer maxConcurrency, Integer batchSize, Duration delayBetweenBatches,
        Double rateLimit, QueueBounds queue, ItemExecution execution, Compensation compensation) {

    public static final String BATCH_ID_PATTERN = "[A-Za-z0-9._-]{1,128}";
    public static final String MAX_CONCURRENCY = "maxConcurrency";
    public static final String BATCH_SIZE = "batchSize";
    public static final String DELAY_BETWEEN_BATCHES = "delayBetweenBatches";
    public static final String RATE_LIMIT = "rateLimit";
    public static final String RETRY = "retry";
    public static final String TIMEOUT = "timeout";
    public static final String ON_TIMEOUT = "onTimeout";
    public static final String OUTPUT_SCHEMA = "outputSchema";
    public static final String DEAD_LETTER_QUEUE = "deadLetterQueue";
    public static final String COMPENSATION = "compensation";

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
        if (maxConcurrency != null && maxConcurrency < 1) {
            throw new ConfigException(MAX_CONCURRENCY + " must be a whole number >= 1 (items of the batch published"
                    + " and without a result at once), was " + maxConcurrency);
        }
        if (batchSize != null && batchSize < 1) {
            throw new ConfigException(BATCH_SIZE + " must be a whole number >= 1, was " + batchSize);
        }
        if (delayBetweenBatches != null && (delayBetweenBatches.isNegative() || delayBetweenBatches.isZero())) {
            throw new ConfigException(DELAY_BETWEEN_BATCHES + " must be a positive duration such as 500ms or 2s, was "
                    + Durations.format(delayBetweenBatches));
        }
        if ((batchSize == null) != (delayBetweenBatches == null)) {
            throw new ConfigException(BATCH_SIZE + " and " + DELAY_BETWEEN_BATCHES + " go together (publish "
                    + BATCH_SIZE + " items, then pause " + DELAY_BETWEEN_BATCHES + "), but only "
                    + (batchSize == null ? DELAY_BETWEEN_BATCHES + " was given" : BATCH_SIZE + " was given"));
        }
        if (rateLimit != null && (rateLimit.isNaN() || rateLimit.isInfinite() || rateLimit <= 0)) {
            throw new ConfigException(RATE_LIMIT + " must be a number of items per second > 0, was " + rateLimit);
        }
        queue = queue == null ? QueueBounds.none() : queue;
        execution = execution == null ? ExecutionFields.NONE : ExecutionFields.check(execution);
        if (compensation != null && policy.onFailure() != OnFailure.COMPENSATE) {
            throw new ConfigException(COMPENSATION + " names the handler '" + compensation.handler() + "', but"
                    + " policy.onFailure is " + policy.onFailure().id() + ": set policy.onFailure: compensate to run"
                    + " it when the batch fails, or remove " + COMPENSATION);
        }
    }

    /** Reads a batch file's fields (without {@code items}); the execution fields sit at the top level. */
    @JsonCreator
    static BatchSpec fromFile(@JsonProperty("batchId") String batchId, @JsonProperty("handler") String handler,
            @JsonProperty("settings") JsonNode settings, @JsonProperty("priority") Lane priority,
            @JsonProperty("keyField") String keyField, @JsonProperty("policy") BatchPolicy policy,
            @JsonProperty(MAX_CONCURRENCY) Integer maxConcurrency, @JsonProperty(BATCH_SIZE) Integer batchSize,
            @JsonProperty(DELAY_BETWEEN_BATCHES) Duration delayBetweenBatches,
            @JsonProperty(RATE_LIMIT) Double rateLimit, @JsonProperty("queue") QueueBounds queue,
            @JsonProperty(RETRY) JsonNode retry, @JsonProperty(TIMEOUT) JsonNode timeout,
            @JsonProperty(ON_TIMEOUT) TimeoutPolicy onTimeout, @JsonProperty(OUTPUT_SCHEMA) JsonNode outputSchema,
            @JsonProperty(DEAD_LETTER_QUEUE) Boolean deadLetterQueue,
            @JsonProperty(COMPENSATION) JsonNode compensation) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue,
                ExecutionFields.read(retry, timeout, onTimeout, outputSchema, deadLetterQueue),
                compensationOf(compensation));
    }

    /** A batch of the given handler with every other field at its default. */
    public static BatchSpec of(String handler) {
        return new BatchSpec(null, handler, null, null, null, null, null, null, null, null, null, null, null);
    }

    public BatchSpec withBatchId(String id) {
        return new BatchSpec(id, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    public BatchSpec withSettings(JsonNode newSettings) {
        return new BatchSpec(batchId, handler, newSettings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    public BatchSpec withPriority(Lane lane) {
        return new BatchSpec(batchId, handler, settings, lane, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    public BatchSpec withPolicy(BatchPolicy newPolicy) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, newPolicy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    public BatchSpec withKeyField(String pointer) {
        return new BatchSpec(batchId, handler, settings, priority, pointer, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    /** At most {@code limit} items of the batch outstanding (published without a result); {@code null} for none. */
    public BatchSpec withMaxConcurrency(Integer limit) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, limit, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, compensation);
    }

    /** Publishes {@code size} items, then pauses {@code delay}; {@code null}s for no grouping. */
    public BatchSpec withBatches(Integer size, Duration delay) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, size, delay,
                rateLimit, queue, execution, compensation);
    }

    /** At most {@code itemsPerSecond} items published per second; {@code null} for no limit. */
    public BatchSpec withRateLimit(Double itemsPerSecond) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, itemsPerSecond, queue, execution, compensation);
    }

    public BatchSpec withQueue(QueueBounds bounds) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, bounds, execution, compensation);
    }

    /** How workers run each item, over their per-handler settings; {@code null} for nothing set. */
    public BatchSpec withExecution(ItemExecution newExecution) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, newExecution, compensation);
    }

    /** The batch's retry policy, field by field over each handler's; {@code null} for the handlers' own. */
    public BatchSpec withRetry(RetrySettings retry) {
        return withExecution(new ItemExecution(retry, execution.timeout(), execution.onTimeout(),
                execution.outputSchema(), execution.deadLetterQueue()));
    }

    /** A per-attempt timeout and what it does; {@code null}s keep the handlers' own. */
    public BatchSpec withItemTimeout(Duration timeout, TimeoutPolicy onTimeout) {
        return withExecution(new ItemExecution(execution.retry(), timeout, onTimeout, execution.outputSchema(),
                execution.deadLetterQueue()));
    }

    /** A JSON Schema every output must match (else the item fails with {@code OUTPUT_INVALID}); {@code null}: none. */
    public BatchSpec withOutputSchema(JsonNode schema) {
        return withExecution(new ItemExecution(execution.retry(), execution.timeout(), execution.onTimeout(), schema,
                execution.deadLetterQueue()));
    }

    /** {@code false}: failures are recorded in the results only, without dead letters. */
    public BatchSpec withDeadLetterQueue(boolean deadLetters) {
        return withExecution(new ItemExecution(execution.retry(), execution.timeout(), execution.onTimeout(),
                execution.outputSchema(), deadLetters));
    }

    /**
     * The handler that undoes each succeeded item when the batch fails ({@code policy.onFailure: compensate}); an
     * item's own {@code compensation} replaces it. {@code null} for none.
     */
    public BatchSpec withCompensation(Compensation undo) {
        return new BatchSpec(batchId, handler, settings, priority, keyField, policy, maxConcurrency, batchSize,
                delayBetweenBatches, rateLimit, queue, execution, undo);
    }

    private static Compensation compensationOf(JsonNode node) {
        try {
            return Compensation.parse(node, COMPENSATION);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
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
