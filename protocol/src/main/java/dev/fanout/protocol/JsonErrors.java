package dev.fanout.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns Jackson's exceptions into one-line messages that name the field, the problem and the fix, for batch files,
 * configuration files and records alike.
 */
public final class JsonErrors {

    private static final Pattern LIMIT = Pattern.compile("maximum allowed \\((\\d+)");
    /** Parser advice a user cannot follow (features to enable) and echoes of the source. */
    private static final Pattern NOISE = Pattern.compile(" \\(start marker at \\[.*?\\]\\)|: enable `[^`]*` to allow"
            + "| \\(not recognized as one since Feature '\\w+' not enabled for parser\\)|java\\.io\\.\\w+Exception: ");

    private JsonErrors() {
    }

    /**
     * Describes a parse or mapping failure.
     *
     * @param error  what Jackson threw
     * @param prefix the path of the parsed document inside a larger one (e.g. {@code "policy"}), or empty
     */
    public static String describe(JsonProcessingException error, String prefix) {
        StreamConstraintsException limit = find(error, StreamConstraintsException.class);
        if (limit != null) {
            return tooBig(limit) + location(error);
        }
        InputCoercionException range = find(error, InputCoercionException.class);
        if (range != null) {
            String at = error instanceof JsonMappingException mapping ? path(mapping) : "";
            String field = join(prefix, at.isEmpty() ? parserPath(range) : at);
            return (field.isEmpty() ? "a number" : "field '" + field + "'") + " is out of range: "
                    + range.getOriginalMessage() + "; write a smaller number" + location(error);
        }
        if (error instanceof MismatchedInputException trailing && String.valueOf(trailing.getOriginalMessage())
                .startsWith("Trailing token")) {
            return "there is more after the JSON value; a document holds exactly one value" + location(error);
        }
        if (error instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
            return "unknown field '" + join(prefix, path(unknown)) + "'; known fields here: " + known;
        }
        if (error instanceof ValueInstantiationException instantiation && instantiation.getCause() != null) {
            return instantiation.getCause().getMessage() + location(error);
        }
        if (error instanceof InvalidFormatException format) {
            if (format.getCause() instanceof IllegalArgumentException rule) {
                return rule.getMessage() + location(error);
            }
            return "field '" + join(prefix, path(format)) + "' has the wrong value '" + format.getValue()
                    + "': expected " + typeName(format.getTargetType()) + location(error);
        }
        if (error instanceof MismatchedInputException mismatch && !path(mismatch).isEmpty()) {
            return "field '" + join(prefix, path(mismatch)) + "' has the wrong type: expected "
                    + typeName(mismatch.getTargetType()) + location(error);
        }
        if (error instanceof JsonMappingException mapping && mapping.getCause() instanceof IllegalArgumentException rule) {
            return rule.getMessage() + location(error);
        }
        String message = NOISE.matcher(String.valueOf(error.getOriginalMessage())).replaceAll("");
        if (message.contains("Invalid UTF-8") || message.contains("Invalid UTF-32")) {
            return "not valid UTF-8: " + message + "; save it as UTF-8" + location(error);
        }
        return "not valid JSON/YAML: " + message + location(error);
    }

    /** {@code error} or its first cause of that type, or null. */
    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable at = error; at != null; at = at.getCause() == at ? null : at.getCause()) {
            if (type.isInstance(at)) {
                return type.cast(at);
            }
        }
        return null;
    }

    /** A parser limit exceeded (nesting, number or text length), said in the user's terms. */
    private static String tooBig(StreamConstraintsException error) {
        String message = String.valueOf(error.getOriginalMessage());
        Matcher limit = LIMIT.matcher(message);
        String max = limit.find() ? limit.group(1) : "the limit";
        if (message.startsWith("Document nesting depth")) {
            return "the document nests arrays and objects more than " + max + " levels deep; flatten it";
        }
        if (message.startsWith("Number value length")) {
            return "a number has more than " + max + " digits; write it as text if it is an identifier";
        }
        if (message.startsWith("String value length")) {
            return "a text value is longer than " + max + " characters; send large data by reference";
        }
        return "the document exceeds a parser limit: " + message.replaceAll(", from `[^`]*`", "");
    }

    /** The path of the value the parser was at, e.g. {@code execution.retry.maximumAttempts}, or empty. */
    private static String parserPath(InputCoercionException error) {
        if (!(error.getProcessor() instanceof JsonParser parser)) {
            return "";
        }
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext at = parser.getParsingContext(); at != null && !at.inRoot(); at = at.getParent()) {
            if (at.inObject() && at.getCurrentName() != null) {
                path.insert(0, (path.isEmpty() || path.charAt(0) == '[' ? "" : ".")).insert(0, at.getCurrentName());
            } else if (at.inArray()) {
                path.insert(0, "[" + Math.max(0, at.getCurrentIndex()) + "]");
            }
        }
        return path.toString();
    }

    private static String path(JsonMappingException error) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : error.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String join(String prefix, String path) {
        return prefix == null || prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path;
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(", "));
        }
        return switch (type.getSimpleName()) {
            case "int", "Integer", "long", "Long" -> "a whole number";
            case "double", "Double", "float", "Float" -> "a number";
            case "boolean", "Boolean" -> "true or false";
            case "String" -> "text";
            case "Duration" -> "a duration such as 30s, 5m or PT1M";
            case "Instant" -> "a time in ISO-8601 such as 2026-11-22T10:15:30Z";
            case "List", "Set" -> "a list";
            case "Map" -> "an object";
            default -> "an object of type " + type.getSimpleName();
        };
    }

    private static String location(JsonProcessingException error) {
        JsonLocation location = error.getLocation();
        return location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
