package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the aggregator publishes an event when a batch is decided: a policy's {@code onSuccess} (decided
 * {@code SUCCEEDED} or {@code SUCCEEDED_WITH_FAILURES}) or {@code onError} (any other status). The event is keyed by
 * the batch id; its value is a JSON object of the {@code with} fields, each rendered from a {@link ChainTemplate}
 * over the decided batch, or the batch result itself when {@code with} is empty.
 *
 * <pre>
 * onSuccess:
 *   topic: orders.next-step
 *   with: {results: "{{ .output }}", failed: "{{ .failed_tasks }}", took: "{{ .execution.duration }}"}
 * </pre>
 *
 * Immutable; the topic name and every template are checked at construction, so a bad template is refused when the
 * batch is submitted.
 *
 * @param topic the Kafka topic to publish to
 * @param with  event field name to template, in the order written; empty for the batch result itself
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ChainTarget(String topic, Map<String, String> with) {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public ChainTarget {
        with = check(topic, with, "chain target");
    }

    /** A target that publishes the batch result itself. */
    public static ChainTarget of(String topic) {
        return new ChainTarget(topic, Map.of());
    }

    /**
     * Reads a target strictly from JSON or YAML, naming {@code field} in every error (e.g. {@code policy.onSuccess}).
     *
     * @return the target, or {@code null} when the node is absent or null
     * @throws IllegalArgumentException naming the field, the bad value and the rule
     */
    public static ChainTarget parse(JsonNode node, String field) {
        Objects.requireNonNull(field, "field");
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(field + " must be an object with topic and with, was " + node);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("topic") && !name.equals("with")) {
                throw new IllegalArgumentException("unknown field '" + field + "." + name
                        + "'; known fields here: topic, with");
            }
        }
        JsonNode topic = node.get("topic");
        if (topic == null || !topic.isTextual()) {
            throw new IllegalArgumentException(field + ".topic is required: the topic the event is published to, was "
                    + (topic == null ? "absent" : topic.toString()));
        }
        Map<String, String> with = new LinkedHashMap<>();
        JsonNode templates = node.get("with");
        if (templates != null && !templates.isNull()) {
            if (!templates.isObject()) {
                throw new IllegalArgumentException(field + ".with must be an object of field: template, was "
                        + templates);
            }
            for (Map.Entry<String, JsonNode> entry : templates.properties()) {
                if (!entry.getValue().isTextual()) {
                    throw new IllegalArgumentException(field + ".with." + entry.getKey()
                            + " must be a template in quotes, such as \"{{ .status }}\", was " + entry.getValue());
                }
                with.put(entry.getKey(), entry.getValue().textValue());
            }
        }
        check(topic.textValue(), with, field);
        return new ChainTarget(topic.textValue(), with);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ChainTarget fromJson(JsonNode node) {
        return parse(node, "chain target");
    }

    /** The parsed templates, by event field, in the order written. */
    public Map<String, ChainTemplate> templates() {
        Map<String, ChainTemplate> templates = new LinkedHashMap<>();
        with.forEach((name, source) -> templates.put(name, ChainTemplate.parse(source, "with." + name)));
        return templates;
    }

    private static Map<String, String> check(String topic, Map<String, String> with, String field) {
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(field + ".topic must be a Kafka topic name (1 to 249 letters, digits,"
                    + " '.', '_' and '-'), was '" + topic + "'");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        Objects.requireNonNullElse(with, Map.<String, String>of()).forEach((name, source) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(field + ".with has a blank field name");
            }
            ChainTemplate.parse(source, field + ".with." + name);
            copy.put(name, source);
        });
        return Collections.unmodifiableMap(copy);
    }
}
