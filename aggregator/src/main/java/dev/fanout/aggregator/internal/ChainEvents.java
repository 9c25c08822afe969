package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.ChainTemplate;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.Strategy;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders the event of a chaining target over a decided batch. The templates see the batch result's fields plus:
 *
 * <ul>
 *   <li>{@code output}: for {@code race} the winner's output; otherwise the successful items'
 *       {@code {itemId, index, output}} in index order, at most {@link #MAX_OUTPUTS} of them and
 *       {@link #MAX_OUTPUT_BYTES} in all (the rest is in the results API);</li>
 *   <li>{@code failed_tasks}: the first {@link BatchState#FAILED_SAMPLE} unsuccessful items counted, in index order,
 *       as {@code {itemId, index, status, reason, error}}; {@code failed_count}: how many items did not succeed;</li>
 *   <li>{@code execution}: {@code startedAt}, {@code decidedAt}, {@code duration} (ISO-8601, e.g. {@code PT12.5S})
 *       and {@code durationMs}.</li>
 * </ul>
 * Only what the templates refer to is computed: {@code output} of a non-race batch scans the item store.
 */
public final class ChainEvents {

    public static final int MAX_OUTPUTS = 100;
    public static final int MAX_OUTPUT_BYTES = 512 * 1024;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChainEvents() {
    }

    /**
     * The event's value: the rendered {@code with} fields, or the batch result itself when there are none.
     *
     * @param result the decision as published (with the race winner's output)
     */
    public static JsonNode render(ChainTarget target, BatchResult result, BatchState state, ItemReader items) {
        Objects.requireNonNull(target, "target");
        Map<String, ChainTemplate> templates = target.templates();
        if (templates.isEmpty()) {
            return Envelopes.mapper().valueToTree(result);
        }
        Set<String> roots = new LinkedHashSet<>();
        templates.values().forEach(template -> roots.addAll(template.roots()));
        ObjectNode model = model(result, roots, state, items);
        ObjectNode event = JSON.objectNode();
        templates.forEach((field, template) -> event.set(field, template.render(model)));
        return event;
    }

    /** The object the templates are rendered over; {@code output} and {@code failed_tasks} only when needed. */
    static ObjectNode model(BatchResult result, Set<String> roots, BatchState state, ItemReader items) {
        ObjectNode model = Envelopes.mapper().valueToTree(result);
        if (roots.contains("output") && result.strategy() != Strategy.RACE) {
            model.set("output", outputs(result.batchId(), items));
        }
        if (roots.contains("failed_tasks")) {
            model.set("failed_tasks", failedTasks(result.batchId(), state.failedSample(), items));
        }
        model.put("failed_count", result.failed());
        ObjectNode execution = model.putObject("execution");
        execution.put("startedAt", result.startedAt() == null ? null : result.startedAt().toString());
        execution.put("decidedAt", result.decidedAt() == null ? null : result.decidedAt().toString());
        execution.put("duration", Duration.ofMillis(result.wallMs()).toString());
        execution.put("durationMs", result.wallMs());
        return model;
    }

    private static ArrayNode outputs(String batchId, ItemReader items) {
        ArrayNode outputs = JSON.arrayNode();
        long[] bytes = {0};
        items.scan(batchId, -1, Integer.MAX_VALUE, (index, outcome) -> {
            if (outcome.status().isSuccess()) {
                JsonNode output = outcome.output() == null ? JSON.nullNode() : outcome.output();
                bytes[0] += output.toString().length();
                if (bytes[0] > MAX_OUTPUT_BYTES) {
                    return false;
                }
                outputs.addObject().put("itemId", outcome.itemId()).put("index", index).set("output", output);
            }
            return outputs.size() < MAX_OUTPUTS;
        });
        return outputs;
    }

    private static ArrayNode failedTasks(String batchId, List<Long> sample, ItemReader items) {
        ArrayNode tasks = JSON.arrayNode();
        sample.stream().sorted().forEach(index -> {
            ItemOutcome outcome = items.get(batchId, index);
            if (outcome == null) {
                return;
            }
            ObjectNode task = tasks.addObject().put("itemId", outcome.itemId()).put("index", index)
                    .put("status", outcome.status().name());
            if (outcome.reason() != null) {
                task.put("reason", outcome.reason().name());
            }
            if (outcome.errorType() != null) {
                task.set("error", Envelopes.mapper().valueToTree(
                        new ItemError(outcome.errorType(), outcome.errorMessage())));
            }
        });
        return tasks;
    }
}
