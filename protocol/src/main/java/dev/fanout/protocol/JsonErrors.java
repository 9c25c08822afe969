package dev.fanout.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.stream.Collectors;

/**
 * Turns Jackson's exceptions into one-line messages that name the field, the problem and the fix, for batch files,
 * configuration files and records alike.
 */
public final class JsonErrors {

    private JsonErrors() {
    }

    /**
     * Describes a parse or mapping failure.
     *
     * @param error  what Jackson threw
     * @param prefix the path of the parsed document inside a larger one (e.g. {@code "policy"}), or empty
     */
    public static String describe(JsonProcessingException error, String prefix) {
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
        return "not valid JSON/YAML: " + error.getOriginalMessage() + location(error);
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
