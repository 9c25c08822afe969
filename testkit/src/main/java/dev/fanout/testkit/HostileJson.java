package dev.fanout.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of hostile input for the parsers' property tests (jqwik): random bytes (invalid UTF-8 included), byte
 * mutations of a valid document, the valid document with one field given a hostile value (wrong types, huge numbers,
 * deep nesting, odd text), unknown or missing fields, and deep nesting on its own.
 */
public final class HostileJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private HostileJson() {
    }

    /** Any bytes, invalid UTF-8 included. */
    public static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
    }

    /** Scalars that break naive parsers: huge, tiny and non-finite numbers, odd text, null, booleans. */
    public static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.of("1e999999", "-1e999999", "123456789012345678901234567890", "9223372036854775808",
                        "-9223372036854775809", "2147483648", "-0", "0.5", "1E-400", "1" + "0".repeat(1200))
                        .map(number -> number(number)),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.strings().all().ofMaxLength(40).map(NODES::textNode),
                Arbitraries.of("", " ", "../../etc/passwd", "a/b", "a\r\nInjected: 1", "\u0000", "\uD800", "é",
                        "x".repeat(300), "{{ .status }}", "{{", "30s", "-1s", "PT-1S", "auto", "high", "none")
                        .map(NODES::textNode),
                Arbitraries.of(NODES.nullNode(), NODES.booleanNode(true), NODES.booleanNode(false)));
    }

    /** Any JSON value: scalars, and arrays and objects of them a few levels deep. */
    public static Arbitrary<JsonNode> values() {
        return Arbitraries.recursive(HostileJson::scalars, HostileJson::container, 0, 3);
    }

    /** Text of {@code depth} nested arrays or objects, up to far beyond any parser's nesting limit. */
    public static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(1, 3000), Arbitraries.of("[", "{\"a\":"))
                .as((depth, open) -> open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(depth));
    }

    /**
     * Hostile variants of a valid JSON object, as bytes: any bytes, byte mutations of it, one of its fields (at any
     * depth) given a hostile value, removed or joined by an unknown field, deep nesting, and other JSON values in
     * its place.
     */
    public static Arbitrary<byte[]> variantsOf(String validJson) {
        ObjectNode valid = parse(validJson);
        byte[] validBytes = validJson.getBytes(StandardCharsets.UTF_8);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, bytes()),
                net.jqwik.api.Tuple.of(3, mutations(validBytes)),
                net.jqwik.api.Tuple.of(5, fieldVariants(valid).map(HostileJson::utf8)),
                net.jqwik.api.Tuple.of(1, deepNesting().map(HostileJson::utf8)),
                net.jqwik.api.Tuple.of(1, values().map(HostileJson::utf8)));
    }

    /** The valid object with one field (at any depth) replaced by a hostile value, removed, or beside an unknown one. */
    public static Arbitrary<String> fieldVariants(ObjectNode valid) {
        List<String> paths = new ArrayList<>();
        collectPaths(valid, "", paths);
        Arbitrary<String> path = Arbitraries.of(paths);
        return Arbitraries.oneOf(
                Combinators.combine(path, values()).as((at, value) -> edit(valid, at, value, false).toString()),
                path.map(at -> edit(valid, at, null, false).toString()),
                Combinators.combine(path, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), values())
                        .as((at, name, value) -> edit(valid, parent(at) + "/" + name, value, true).toString()));
    }

    /** Byte mutations of a valid document: flipped, inserted and deleted bytes, and truncation. */
    public static Arbitrary<byte[]> mutations(byte[] valid) {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, Math.max(0, valid.length - 1));
        return Combinators.combine(position, Arbitraries.bytes(), Arbitraries.integers().between(0, 3))
                .as((at, value, kind) -> mutate(valid, at, value, kind));
    }

    private static byte[] mutate(byte[] valid, int at, byte value, int kind) {
        return switch (kind) {
            case 0 -> {
                byte[] copy = valid.clone();
                copy[at] = value;
                yield copy;
            }
            case 1 -> {
                byte[] copy = new byte[valid.length + 1];
                System.arraycopy(valid, 0, copy, 0, at);
                copy[at] = value;
                System.arraycopy(valid, at, copy, at + 1, valid.length - at);
                yield copy;
            }
            case 2 -> {
                byte[] copy = new byte[valid.length - 1];
                System.arraycopy(valid, 0, copy, 0, at);
                System.arraycopy(valid, at + 1, copy, at, valid.length - at - 1);
                yield copy;
            }
            default -> java.util.Arrays.copyOf(valid, at);
        };
    }

    private static Arbitrary<JsonNode> container(Arbitrary<JsonNode> element) {
        return Arbitraries.oneOf(
                element.list().ofMaxSize(4).map(items -> {
                    ArrayNode array = NODES.arrayNode();
                    items.forEach(array::add);
                    return (JsonNode) array;
                }),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), element).ofMaxSize(4).map(fields -> {
                    ObjectNode object = NODES.objectNode();
                    fields.forEach(object::set);
                    return (JsonNode) object;
                }));
    }

    private static void collectPaths(JsonNode node, String at, List<String> paths) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String path = at + "/" + field.getKey();
                paths.add(path);
                collectPaths(field.getValue(), path, paths);
            }
        }
    }

    /** A copy with the field at {@code path} set to {@code value}, or removed when {@code value} is null. */
    private static JsonNode edit(ObjectNode valid, String path, JsonNode value, boolean add) {
        ObjectNode copy = valid.deepCopy();
        int slash = path.lastIndexOf('/');
        JsonNode parent = slash == 0 ? copy : copy.at(path.substring(0, slash));
        if (!(parent instanceof ObjectNode object)) {
            return copy;
        }
        String name = path.substring(slash + 1);
        if (value == null) {
            object.remove(name);
        } else if (!add || !object.has(name)) {
            object.set(name, value);
        }
        return copy;
    }

    private static String parent(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }

    private static JsonNode number(String text) {
        return NODES.numberNode(new java.math.BigDecimal(text));
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON object: " + json, e);
        }
    }

    private static byte[] utf8(Object value) {
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
