package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/TESTING.md for batch files (YAML and JSON, inline items included) and JSON Lines
 * items: each row is a hostile file and the exact error it gets (a row ending in "…" is checked as a prefix).
 */
class HostileBatchFilesTest {

    @TempDir
    Path dir;

    static Stream<Arguments> batchFiles() {
        return Stream.of(
                row("empty batch file", "b.yaml", "", "b.yaml: the file is empty"),
                row("a YAML list instead of an object", "b.yaml", "- 1\n- 2\n",
                        "b.yaml: a batch file is an object with handler, policy and items"),
                row("unclosed YAML flow list", "b.yaml", "handler: [echo\n", "b.yaml: not valid JSON/YAML: …"),
                row("invalid UTF-8 in YAML", "b.yaml", "handler: \u0001(\n", "b.yaml: not valid UTF-8: …"),
                row("settings nested 5,000 deep (JSON)", "b.json",
                        "{\"handler\":\"echo\",\"settings\":{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}}",
                        "b.json: the document nests arrays and objects more than 1000 levels deep; flatten it"),
                row("`maxConcurrency: 99999999999999999999`", "b.yaml",
                        "handler: echo\nmaxConcurrency: 99999999999999999999\n",
                        "b.yaml: field 'maxConcurrency' is out of range: Numeric value (99999999999999999999) out of"
                                + " range of int (-2147483648 - 2147483647); write a smaller number"),
                row("`rateLimit: 1e999999`", "b.yaml", "handler: echo\nrateLimit: 1e999999\n",
                        "b.yaml: rateLimit must be a number of items per second > 0, was Infinity"),
                row("`maxConcurrency: 1.5`", "b.yaml", "handler: echo\nmaxConcurrency: 1.5\n",
                        "b.yaml: field 'maxConcurrency' has the wrong value '1.5': expected a whole number"),
                row("unknown field `colour`", "b.yaml", "handler: echo\ncolour: red\n",
                        "b.yaml: unknown field 'colour'; known fields here: batchId, batchSize, compensation,"
                                + " deadLetterQueue, delayBetweenBatches, handler, keyField, maxConcurrency, onTimeout,"
                                + " outputSchema, policy, priority, queue, rateLimit, retry, settings, timeout"),
                row("`policy: fast` (wrong type)", "b.yaml", "handler: echo\npolicy: fast\n",
                        "b.yaml: field 'policy' has the wrong type: expected an object of type BatchPolicy"),
                row("`policy.minSuccessRate: high`", "b.yaml", "handler: echo\npolicy: {minSuccessRate: high}\n",
                        "b.yaml: field 'policy.minSuccessRate' has the wrong value 'high': expected a number"),
                row("`handler: [a, b]`", "b.yaml", "handler: [a, b]\n",
                        "b.yaml: field 'handler' has the wrong type: expected text"),
                row("hostile batch id `../../etc`", "b.yaml", "batchId: ../../etc\nhandler: echo\n",
                        "b.yaml: batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was '../../etc'"),
                row("batch id with a line break", "b.json", "{\"batchId\":\"a\\nb\",\"handler\":\"echo\"}",
                        "b.json: batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was 'a\nb'"),
                row("batch id of 129 characters", "b.yaml", "batchId: " + "a".repeat(129) + "\nhandler: echo\n",
                        "b.yaml: batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was '"
                                + "a".repeat(129) + "'"),
                row("`delayBetweenBatches: 99999999999999999999d`", "b.yaml",
                        "handler: echo\nbatchSize: 5\ndelayBetweenBatches: 99999999999999999999d\n",
                        "b.yaml: delayBetweenBatches must be a duration of at most 106751991167 days such as 250ms,"
                                + " 30s, 5m or PT1M, was '99999999999999999999d'"),
                row("`retry.maximumAttempts: 99999999999`", "b.yaml",
                        "handler: echo\nretry: {maximumAttempts: 99999999999}\n",
                        "b.yaml: retry.maximumAttempts must be a whole number >= 1 (attempts in all, the first"
                                + " included; 1 means no retry), was 99999999999"),
                row("`outputSchema: {type: 7}`", "b.yaml", "handler: echo\noutputSchema: {type: 7}\n",
                        "b.yaml: outputSchema is not a valid JSON Schema: …"),
                row("chain template `{{ .secret }}`", "b.yaml",
                        "handler: echo\npolicy: {onSuccess: {topic: next, with: {x: '{{ .secret }}'}}}\n",
                        "b.yaml: policy.onSuccess.with.x: unknown field '.secret' in \"{{ .secret }}\"; known fields: …"),
                row("a YAML document over 3 MB", "b.yaml",
                        "handler: echo\nsettings: {a: '" + "x".repeat(3_200_000) + "'}\n",
                        "b.yaml: not valid JSON/YAML: The incoming YAML document exceeds the limit: 3145728 code"
                                + " points. …"),
                row("inline item with unknown field `colour`", "b.yaml",
                        "handler: echo\nitems: [{payload: 1, colour: red}]\n",
                        "items[0]: unknown item field 'colour'; an item object has payload, id, key, handler,"
                                + " settings, compensation (put other data inside payload)"),
                row("inline item `id: {a: 1}`", "b.yaml", "handler: echo\nitems: [{payload: 1, id: {a: 1}}]\n",
                        "items[0]: item field 'id' must be non-empty text, was {\"a\":1}"),
                row("`items` an object", "b.yaml", "handler: echo\nitems: {a: 1}\n", "items must be a list, was OBJECT"));
    }

    static Stream<Arguments> jsonLines() {
        byte[] badUtf8 = withBadByte("{\"a\":\"\u0001(\"}\n");
        return Stream.of(
                row("JSON Lines: a line that is not JSON", "{\"a\":1}\nnot json\n".getBytes(StandardCharsets.UTF_8),
                        "items.jsonl line 2: not valid JSON/YAML: Unrecognized token 'not': was expecting (JSON"
                                + " String, Number, Array, Object or token 'null', 'true' or 'false')"),
                row("JSON Lines: invalid UTF-8", badUtf8,
                        "items.jsonl line 1: not valid UTF-8: Invalid UTF-8 middle byte 0x28; save it as UTF-8"),
                row("JSON Lines: a line nested 5,000 deep",
                        ("[".repeat(5000) + "]".repeat(5000) + "\n").getBytes(StandardCharsets.UTF_8),
                        "items.jsonl line 1: the document nests arrays and objects more than 1000 levels deep;"
                                + " flatten it"),
                row("JSON Lines: two values on one line", "{\"a\":1} {\"b\":2}\n".getBytes(StandardCharsets.UTF_8),
                        "items.jsonl line 1: there is more after the JSON value; a document holds exactly one value"),
                row("JSON Lines: a NUL byte", "\u0000\n".getBytes(StandardCharsets.UTF_8),
                        "items.jsonl line 1: not valid JSON/YAML: Illegal character ((CTRL-CHAR, code 0)): only"
                                + " regular white space (\\r, \\n, \\t) is allowed between tokens"),
                row("JSON Lines: item `id: \"\"`", "{\"payload\":1,\"id\":\"\"}\n".getBytes(StandardCharsets.UTF_8),
                        "items.jsonl line 1: item field 'id' must be non-empty text, was \"\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batchFiles")
    void aHostileBatchFileIsRefusedNamingTheField(String input, String file, String content, String expected)
            throws Exception {
        Path path = dir.resolve(file);
        Files.write(path, withBadByte(content));
        Throwable error = catchThrowable(() -> {
            BatchSpec.File read = BatchSpec.File.read(path);
            InlineItems items = new InlineItems(read.items());
            while (items.next() != null) {
                // reads every item
            }
        });
        assertThat(error).isInstanceOf(ConfigException.class);
        matches(error.getMessage().replace(dir + "/", ""), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jsonLines")
    void aHostileJsonLineIsRefusedWithItsLineAndTheNextLineIsRead(String input, byte[] content, String expected)
            throws Exception {
        Path path = dir.resolve("items.jsonl");
        Files.write(path, content);
        try (JsonLinesItems items = JsonLinesItems.file(path)) {
            Throwable error = catchThrowable(() -> {
                while (items.next() != null) {
                    // reads up to the bad line
                }
            });
            assertThat(error).isInstanceOf(InvalidItemException.class);
            matches(error.getMessage().replace(dir + "/", ""), expected);
        }
        byte[] withNext = java.util.Arrays.copyOf(content, content.length + 8);
        System.arraycopy("{\"b\":7}\n".getBytes(StandardCharsets.UTF_8), 0, withNext, content.length, 8);
        try (JsonLinesItems items = JsonLinesItems.of(new ByteArrayInputStream(withNext), "stdin")) {
            DispatchItem last = null;
            for (int i = 0; i < 4; i++) {
                try {
                    DispatchItem item = items.next();
                    last = item == null ? last : item;
                } catch (InvalidItemException skipped) {
                    assertThat(skipped.getMessage()).startsWith("stdin line");
                }
            }
            assertThat(last).isNotNull();
            assertThat(last.payload().path("b").asInt()).isEqualTo(7);
        }
    }

    /** The text as UTF-8, with each U+0001 made a lone 0xC3 byte: the start of a two-byte sequence, cut short. */
    static byte[] withBadByte(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 1) {
                bytes[i] = (byte) 0xC3;
            }
        }
        return bytes;
    }

    /** The message is {@code expected}, or starts with it when it ends with "…". */
    static void matches(String message, String expected) {
        if (expected.endsWith("…")) {
            assertThat(message).startsWith(expected.substring(0, expected.length() - 1));
        } else {
            assertThat(message).isEqualTo(expected);
        }
    }

    static Arguments row(String input, Object... rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = input;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return Arguments.of(all);
    }
}
