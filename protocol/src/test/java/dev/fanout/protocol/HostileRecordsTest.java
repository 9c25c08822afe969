package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/TESTING.md for job records and chain templates: each row is a hostile input and
 * the exact error it gets (a row ending in "…" is checked as a prefix).
 */
class HostileRecordsTest {

    static final String JOB = "{\"schemaVersion\":1,\"batchId\":\"b1\",\"itemId\":\"a1\",\"index\":0,\"total\":2,"
            + "\"handler\":\"echo\",\"payload\":{\"x\":1},\"traceId\":\"t\",\"attempt\":1,"
            + "\"createdAt\":\"2026-11-22T00:00:00Z\"}";

    static Stream<Arguments> jobRecords() {
        byte[] badUtf8 = utf8(JOB.replace("\"a1\"", "\"a\u0001\""));
        badUtf8[new String(badUtf8, StandardCharsets.UTF_8).indexOf('\u0001')] = (byte) 0xC3;
        return Stream.of(
                row("empty value", new byte[0], "the record has no value (null or empty)"),
                row("not JSON: `hello`", utf8("hello"), "not valid JSON/YAML: Unrecognized token 'hello': was expecting"
                        + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 1)"),
                row("truncated JSON", utf8(JOB.substring(0, 40)),
                        "not valid JSON/YAML: Unexpected end-of-input in field name (line 1, column 41)"),
                row("invalid UTF-8 in a string (0xC3 0x22)", badUtf8,
                        "not valid UTF-8: Invalid UTF-8 middle byte 0x22; save it as UTF-8 (line 1, column 48)"),
                row("UTF-32 bytes above U+10FFFF", new byte[] {0, 0, 0, '{', 0x7f, 0, 0, 0},
                        "the value is not UTF-8 (or UTF-16/32) text: …"),
                row("a JSON array", utf8("[1,2]"), "the value must be a JSON object, was array"),
                row("`schemaVersion: 7`", utf8(JOB.replace("\"schemaVersion\":1", "\"schemaVersion\":7")),
                        "schemaVersion 7 is not supported (this build reads 1); upgrade the reader or re-publish"),
                row("`schemaVersion: 1e999999`", utf8(JOB.replace("\"schemaVersion\":1", "\"schemaVersion\":1e999999")),
                        "field 'schemaVersion' is missing or not a whole number; this build reads version 1"),
                row("no `batchId`", utf8(JOB.replace("\"batchId\":\"b1\",", "")),
                        "field 'batchId' is required and must not be blank"),
                row("blank `batchId`", utf8(JOB.replace("\"b1\"", "\"  \"")),
                        "field 'batchId' is required and must not be blank"),
                row("`batchId` an object", utf8(JOB.replace("\"b1\"", "{\"a\":1}")),
                        "field 'batchId' has the wrong type: expected text"),
                row("unknown field `colour`", utf8(JOB.replace("{\"schemaVersion\"", "{\"colour\":\"red\",\"schemaVersion\"")),
                        "unknown field 'colour'; known fields here: attempt, batchId, compensation, createdAt, execution, expiresAt,"
                                + " handler, index, itemId, payload, schemaVersion, settings, total, traceId"),
                row("`index: \"zero\"`", utf8(JOB.replace("\"index\":0", "\"index\":\"zero\"")),
                        "field 'index' has the wrong value 'zero': expected a whole number"),
                row("`index: 99999999999999999999`", utf8(JOB.replace("\"index\":0", "\"index\":99999999999999999999")),
                        "field 'index' is out of range: Numeric value (99999999999999999999) out of range of long"
                                + " (-9223372036854775808 - 9223372036854775807); write a smaller number"),
                row("`attempt: 2147483648`", utf8(JOB.replace("\"attempt\":1", "\"attempt\":2147483648")),
                        "field 'attempt' is out of range: Numeric value (2147483648) out of range of int"
                                + " (-2147483648 - 2147483647); write a smaller number"),
                row("a number of 1,201 digits", utf8(JOB.replace("\"index\":0", "\"index\":1" + "0".repeat(1200))),
                        "a number has more than 1000 digits; write it as text if it is an identifier"),
                row("payload nested 5,000 deep", utf8(JOB.replace("{\"x\":1}", "[".repeat(5000) + "]".repeat(5000))),
                        "the document nests arrays and objects more than 1000 levels deep; flatten it"),
                row("a 21 MB text value", utf8(JOB.replace("{\"x\":1}", "\"" + "x".repeat(21_000_000) + "\"")),
                        "a text value is longer than 20000000 characters; send large data by reference"),
                row("two JSON values in one record", utf8(JOB + "{}"),
                        "there is more after the JSON value; a document holds exactly one value (line 1, column 165)"),
                row("`createdAt: \"yesterday\"`", utf8(JOB.replace("2026-11-22T00:00:00Z", "yesterday")),
                        "field 'createdAt' has the wrong value 'yesterday': expected a time in ISO-8601 such as"
                                + " 2026-11-22T10:15:30Z"),
                row("`total` not above `index`", utf8(JOB.replace("\"total\":2", "\"total\":0")),
                        "total must be > index (0), was 0"),
                row("`execution.timeout: PT-1S`", utf8(JOB.replace("\"attempt\":1",
                        "\"attempt\":1,\"execution\":{\"timeout\":\"PT-1S\"}")), "timeout must be > 0, was PT-1S"),
                row("`NaN` as a number", utf8(JOB.replace("\"index\":0", "\"index\":NaN")),
                        "not valid JSON/YAML: Non-standard token 'NaN' (line 1, column 60)"));
    }

    static Stream<Arguments> chainTemplates() {
        return Stream.of(
                row("template `{{ .status` never closed", "{{ .status",
                        "policy.onSuccess.with.took: '{{' at character 1 of \"{{ .status\" is never closed with '}}'"),
                row("template `{{ status }}` (no dot)", "{{ status }}",
                        "policy.onSuccess.with.took: '{{ status }}' in \"{{ status }}\" is not a field path; write one"
                                + " such as {{ .status }} or {{ .execution.duration }}"),
                row("template `{{ .secret }}`", "{{ .secret }}",
                        "policy.onSuccess.with.took: unknown field '.secret' in \"{{ .secret }}\"; known fields: …"),
                row("template `{{ .execution.password }}`", "{{ .execution.password }}",
                        "policy.onSuccess.with.took: unknown field '.execution.password' in \"{{ .execution.password }}\";"
                                + " .execution has .execution.decidedAt, .execution.duration, .execution.durationMs,"
                                + " .execution.startedAt"),
                row("template index `{{ .output.99999999999 }}`", "{{ .output.99999999999 }}",
                        "policy.onSuccess.with.took: '{{ .output.99999999999 }}' in \"{{ .output.99999999999 }}\" is"
                                + " not a field path; write one such as {{ .status }} or {{ .execution.duration }}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobRecords")
    void aHostileJobRecordIsPoisonWithAMessageNamingTheProblem(String input, byte[] value, String expected) {
        assertThatThrownBy(() -> Envelopes.decode(value, JobRecord.class))
                .isInstanceOfSatisfying(PoisonRecordException.class, e -> matches(e, expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chainTemplates")
    void aHostileChainTemplateIsRefusedNamingItsField(String input, String template, String expected) {
        assertThatThrownBy(() -> ChainTemplate.parse(template, "policy.onSuccess.with.took"))
                .isInstanceOfSatisfying(IllegalArgumentException.class, e -> matches(e, expected));
    }

    /** The message is {@code expected}, or starts with it when it ends with "…". */
    static void matches(Throwable error, String expected) {
        if (expected.endsWith("…")) {
            org.assertj.core.api.Assertions.assertThat(error).hasMessageStartingWith(
                    expected.substring(0, expected.length() - 1));
        } else {
            org.assertj.core.api.Assertions.assertThat(error).hasMessage(expected);
        }
    }

    static Arguments row(String input, Object value, String expected) {
        return Arguments.of(input, value, expected);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
