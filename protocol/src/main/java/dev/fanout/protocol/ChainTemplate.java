package dev.fanout.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chaining template: text with {@code {{ .path }}} placeholders, rendered over a decided batch (see
 * {@link ChainTarget}). The language is deliberately tiny:
 *
 * <ul>
 *   <li>A placeholder is {@code {{ .name }}} or a deeper path {@code {{ .name.field.0 }}}: names are letters, digits
 *       and '_'; a number selects an array element. The first name must be one of {@link #ROOTS}; under
 *       {@code .execution} only {@link #EXECUTION_FIELDS}.</li>
 *   <li>A template that is exactly one placeholder renders to that value with its JSON type (an object, a list, a
 *       number...). Otherwise the result is text: each placeholder is replaced by its value (text as it is, null and
 *       missing values as nothing, anything else as compact JSON).</li>
 *   <li>There are no functions, conditions or loops, and no way to write a literal {@code {{}.</li>
 * </ul>
 * Errors are found when the template is parsed (when a batch is submitted), never when it is rendered.
 */
public final class ChainTemplate {

    /** What a template may refer to: the fields of the batch result, plus {@code output}, {@code failed_tasks}, {@code execution}. */
    public static final Set<String> ROOTS = Set.copyOf(List.of("batchId", "status", "revision", "strategy", "total",
            "succeeded", "failed", "timedOut", "cancelled", "deadLettered", "successRate", "reason", "errors",
            "startedAt", "decidedAt", "wallMs", "sumItemMs", "speedup", "latencyP50Ms", "latencyP95Ms",
            "latencyP99Ms", "output", "failed_tasks", "failed_count", "execution"));
    /** The fields of {@code .execution}. */
    public static final Set<String> EXECUTION_FIELDS = Set.of("startedAt", "decidedAt", "duration", "durationMs");

    private static final Pattern PATH = Pattern.compile("\\.[A-Za-z_][A-Za-z0-9_]*(\\.([A-Za-z_][A-Za-z0-9_]*|\\d{1,9}))*");
    private static final String OPEN = "{{";
    private static final String CLOSE = "}}";

    private final String source;
    private final List<Object> parts;

    private ChainTemplate(String source, List<Object> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * Parses and checks a template.
     *
     * @param field where the template is, for messages (e.g. {@code policy.onSuccess.with.results})
     * @throws IllegalArgumentException naming the field, the template and the rule
     */
    public static ChainTemplate parse(String source, String field) {
        Objects.requireNonNull(field, "field");
        if (source == null) {
            throw new IllegalArgumentException(field + " must be a template such as \"{{ .status }}\", was null");
        }
        List<Object> parts = new ArrayList<>();
        int at = 0;
        while (at < source.length()) {
            int open = source.indexOf(OPEN, at);
            if (open < 0) {
                parts.add(source.substring(at));
                break;
            }
            if (open > at) {
                parts.add(source.substring(at, open));
            }
            int close = source.indexOf(CLOSE, open + OPEN.length());
            if (close < 0) {
                throw new IllegalArgumentException(field + ": '{{' at character " + (open + 1) + " of \"" + source
                        + "\" is never closed with '}}'");
            }
            parts.add(path(source.substring(open + OPEN.length(), close).trim(), source, field));
            at = close + CLOSE.length();
        }
        return new ChainTemplate(source, List.copyOf(parts));
    }

    /** The text the template was parsed from. */
    public String source() {
        return source;
    }

    /** The first name of every placeholder (e.g. {@code output}): what the renderer must provide. */
    public Set<String> roots() {
        Set<String> roots = new LinkedHashSet<>();
        for (Object part : parts) {
            if (part instanceof Path path) {
                roots.add(path.segments().get(0));
            }
        }
        return roots;
    }

    /** Renders the template over a model (an object holding the {@link #ROOTS}). */
    public JsonNode render(JsonNode model) {
        Objects.requireNonNull(model, "model");
        if (parts.size() == 1 && parts.get(0) instanceof Path only) {
            return only.lookup(model);
        }
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Path path) {
                JsonNode value = path.lookup(model);
                text.append(value.isNull() ? "" : value.isTextual() ? value.textValue() : value.toString());
            } else {
                text.append((String) part);
            }
        }
        return JsonNodeFactory.instance.textNode(text.toString());
    }

    @Override
    public String toString() {
        return source;
    }

    private static Path path(String expression, String source, String field) {
        if (!PATH.matcher(expression).matches()) {
            throw new IllegalArgumentException(field + ": '{{ " + expression + " }}' in \"" + source
                    + "\" is not a field path; write one such as {{ .status }} or {{ .execution.duration }}");
        }
        List<String> segments = List.of(expression.substring(1).split("\\."));
        String root = segments.get(0);
        if (!ROOTS.contains(root)) {
            throw new IllegalArgumentException(field + ": unknown field '." + root + "' in \"" + source
                    + "\"; known fields: " + String.join(", ", ROOTS.stream().sorted().map(r -> "." + r).toList()));
        }
        if (root.equals("execution") && segments.size() > 1 && !EXECUTION_FIELDS.contains(segments.get(1))) {
            throw new IllegalArgumentException(field + ": unknown field '.execution." + segments.get(1) + "' in \""
                    + source + "\"; .execution has " + String.join(", ",
                    EXECUTION_FIELDS.stream().sorted().map(f -> ".execution." + f).toList()));
        }
        return new Path(segments);
    }

    private record Path(List<String> segments) {

        JsonNode lookup(JsonNode model) {
            JsonNode node = model;
            for (String segment : segments) {
                if (node == null || node.isNull() || node.isMissingNode()) {
                    return NullNode.getInstance();
                }
                node = node.isArray() && segment.chars().allMatch(Character::isDigit)
                        ? node.get(Integer.parseInt(segment))
                        : node.get(segment);
            }
            return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
        }
    }
}
