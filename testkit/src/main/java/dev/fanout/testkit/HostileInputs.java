package dev.fanout.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Seeded generator of hostile input for the parsers' property tests: random bytes (invalid UTF-8 included), byte
 * mutations and truncations of a valid document, the valid document with one field (at any depth) given a hostile
 * value (wrong types, huge or non-finite numbers, odd text, small containers), removed or joined by an unknown field,
 * deep nesting, and other JSON values in its place. The same seed always gives the same inputs; {@link SeededCases}
 * runs a property over many seeds.
 */
public final class HostileInputs {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NUMBERS = List.of("1e999999", "-1e999999", "123456789012345678901234567890",
            "9223372036854775808", "-9223372036854775809", "2147483648", "-0", "0.5", "1E-400", "1" + "0".repeat(1200));
    private static final List<String> TEXTS = List.of("", " ", "../../etc/passwd", "a/b", "a\r\nInjected: 1", "\u0000",
            "\uD800", "é", "x".repeat(300), "{{ .status }}", "{{", "30s", "-1s", "PT-1S", "auto", "high", "none");
    private static final long[] EDGE_LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE,
        Integer.MIN_VALUE};
    private static final double[] EDGE_DOUBLES = {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    private final SplittableRandom random;

    /** A generator whose inputs are fixed by {@code seed}. */
    public HostileInputs(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A whole number from {@code min} to {@code max}, both included. */
    public int between(int min, int max) {
        return random.nextInt(min, max + 1);
    }

    /** One of the given values. */
    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    /** One of the given values. */
    public <T> T oneOf(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Up to {@code maxSize} values from {@code element}. */
    public <T> List<T> listOf(int maxSize, Supplier<T> element) {
        int size = between(0, maxSize);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.get());
        }
        return list;
    }

    /** Up to 80 bytes of anything, invalid UTF-8 included. */
    public byte[] bytes() {
        byte[] bytes = new byte[between(0, 80)];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Text of up to {@code maxLength} characters: mostly printable ASCII, with control characters and any other UTF-16
     * unit (lone surrogates included).
     */
    public String text(int maxLength) {
        char[] chars = new char[between(0, maxLength)];
        for (int i = 0; i < chars.length; i++) {
            int kind = random.nextInt(10);
            chars[i] = (char) (kind < 5 ? between(0x20, 0x7e) : kind < 6 ? between(0, 0x1f) : random.nextInt(0x10000));
        }
        return new String(chars);
    }

    /** Letters only, from {@code minLength} to {@code maxLength} of them. */
    public String letters(int minLength, int maxLength) {
        char[] chars = new char[between(minLength, maxLength)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (random.nextBoolean() ? between('a', 'z') : between('A', 'Z'));
        }
        return new String(chars);
    }

    /** A scalar that breaks naive parsers: huge, tiny and non-finite numbers, odd text, null, booleans. */
    public JsonNode scalar() {
        return switch (random.nextInt(6)) {
            case 0 -> NODES.numberNode(new BigDecimal(oneOf(NUMBERS)));
            case 1 -> NODES.numberNode(random.nextInt(4) == 0 ? EDGE_LONGS[random.nextInt(EDGE_LONGS.length)]
                    : random.nextLong());
            case 2 -> NODES.numberNode(random.nextInt(4) == 0 ? EDGE_DOUBLES[random.nextInt(EDGE_DOUBLES.length)]
                    : Double.longBitsToDouble(random.nextLong()));
            case 3 -> NODES.textNode(text(40));
            case 4 -> NODES.textNode(oneOf(TEXTS));
            default -> oneOf(NODES.nullNode(), NODES.booleanNode(true), NODES.booleanNode(false));
        };
    }

    /** Any JSON value: a scalar, or arrays and objects of them up to three levels deep. */
    public JsonNode value() {
        return value(3);
    }

    /** Text of 1 to 3,000 nested arrays or objects, far beyond any parser's nesting limit. */
    public String deepNesting() {
        int depth = between(1, 3000);
        boolean array = random.nextBoolean();
        return (array ? "[" : "{\"a\":").repeat(depth) + "1" + (array ? "]" : "}").repeat(depth);
    }

    /**
     * A hostile variant of a valid JSON object, as bytes: any bytes (1 in 11), a byte mutation of it (3), one of its
     * fields given a hostile value, removed or joined by an unknown field (5), deep nesting (1), another JSON value
     * in its place (1).
     */
    public byte[] variantOf(String validJson) {
        int pick = random.nextInt(11);
        if (pick < 1) {
            return bytes();
        } else if (pick < 4) {
            return mutation(validJson.getBytes(StandardCharsets.UTF_8));
        } else if (pick < 9) {
            return utf8(fieldVariant(validJson));
        } else if (pick < 10) {
            return utf8(deepNesting());
        }
        return utf8(value().toString());
    }

    /** The valid object with one field (at any depth) given a hostile value, removed, or beside an unknown one. */
    public String fieldVariant(String validJson) {
        ObjectNode valid = parse(validJson);
        List<String> paths = new ArrayList<>();
        collectPaths(valid, "", paths);
        String at = oneOf(paths);
        return switch (random.nextInt(3)) {
            case 0 -> edit(valid, at, value(), false).toString();
            case 1 -> edit(valid, at, null, false).toString();
            default -> edit(valid, at.substring(0, at.lastIndexOf('/')) + "/" + letters(1, 12), value(), true)
                    .toString();
        };
    }

    /** A byte mutation of a valid document: a byte flipped, inserted or deleted, or the document truncated. */
    public byte[] mutation(byte[] valid) {
        int at = random.nextInt(Math.max(1, valid.length));
        byte value = (byte) random.nextInt(256);
        return switch (random.nextInt(4)) {
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
            default -> Arrays.copyOf(valid, at);
        };
    }

    private JsonNode value(int depth) {
        if (depth == 0 || random.nextInt(3) > 0) {
            return scalar();
        }
        if (random.nextBoolean()) {
            ArrayNode array = NODES.arrayNode();
            listOf(4, () -> value(depth - 1)).forEach(array::add);
            return array;
        }
        ObjectNode object = NODES.objectNode();
        for (int i = between(0, 4); i > 0; i--) {
            object.set(text(8), value(depth - 1));
        }
        return object;
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

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON object: " + json, e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
