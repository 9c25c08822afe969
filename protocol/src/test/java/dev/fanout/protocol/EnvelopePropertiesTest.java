package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testkit.HostileInputs;
import dev.fanout.testkit.SeededCases;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Property tests (seeded cases, {@link SeededCases}) of the record codec and the other protocol parsers: whatever the
 * bytes, decoding gives a value or the documented error ({@link PoisonRecordException} for an envelope,
 * {@link IllegalArgumentException} for a chain template), never another exception, and the message never leaks a
 * parser's class names.
 */
class EnvelopePropertiesTest {

    static final String JOB = """
            {"schemaVersion":1,"batchId":"b1","itemId":"a1","index":0,"total":2,"handler":"echo",\
            "settings":{"latencyMs":5},"payload":{"x":1,"nested":{"y":[1,2]}},"traceId":"trace-b1-0","attempt":1,\
            "createdAt":"2026-11-22T00:00:00Z","expiresAt":"2026-11-22T01:00:00Z","execution":{"retry":\
            {"initialInterval":"PT1S","backoffCoefficient":2.0,"maximumInterval":"PT1M","maximumAttempts":3,\
            "nonRetryable":["IllegalArgumentException"]},"timeout":"PT30S","onTimeout":"error",\
            "outputSchema":{"type":"object"},"deadLetterQueue":true}}""";
    static final String RESULT = """
            {"schemaVersion":1,"batchId":"b1","itemId":"a1","index":0,"status":"FAILED","reason":"HANDLER_ERROR",\
            "error":{"type":"java.io.IOException","message":"down","stack":"at x"},"output":{"ok":false},\
            "attempts":2,"startedAt":"2026-11-22T00:00:00Z","finishedAt":"2026-11-22T00:00:01Z","durationMs":1000,\
            "workerId":"w1","deadLettered":true,"traceId":"trace-b1-0","job":"fanout.jobs.normal/0/5"}""";
    static final String DEFINITION = """
            {"schemaVersion":1,"batchId":"b1","handler":"echo","total":2,"sealed":true,"policy":{"strategy":\
            "fail_fast","minSuccessRate":0.5,"onPartialFailure":"continue","totalTimeout":"PT1M",\
            "onTotalTimeout":"collect_partial","onSuccess":{"topic":"next","with":{"took":\
            "{{ .execution.duration }}"}}},"lane":"normal","createdAt":"2026-11-22T00:00:00Z"}""";
    static final String SIGNAL = """
            {"schemaVersion":1,"batchId":"b1","action":"pause","reason":"maintenance","at":"2026-11-22T00:00:00Z"}""";

    @Test
    void theValidDocumentsDecode() {
        assertThat(Envelopes.decode(utf8(JOB), JobRecord.class).execution().retry().maximumAttempts()).isEqualTo(3);
        assertThat(Envelopes.decode(utf8(RESULT), ItemResult.class).deadLettered()).isTrue();
        assertThat(Envelopes.decode(utf8(DEFINITION), BatchDefinition.class).policy().onSuccess()).isNotNull();
        assertThat(Envelopes.decode(utf8(SIGNAL), ControlSignal.class).batchId()).isEqualTo("b1");
    }

    @Test
    void anyJobRecordValueDecodesOrIsPoison() {
        SeededCases.check(1_000, 400, hostile -> hostile.variantOf(JOB),
                value -> decodesOrIsPoison(value, JobRecord.class));
    }

    @Test
    void anyResultValueDecodesOrIsPoison() {
        SeededCases.check(2_000, 200, hostile -> hostile.variantOf(RESULT),
                value -> decodesOrIsPoison(value, ItemResult.class));
    }

    @Test
    void anyBatchDefinitionValueDecodesOrIsPoison() {
        SeededCases.check(3_000, 200, hostile -> hostile.variantOf(DEFINITION),
                value -> decodesOrIsPoison(value, BatchDefinition.class));
    }

    @Test
    void anyControlSignalValueDecodesOrIsPoison() {
        SeededCases.check(4_000, 100, hostile -> hostile.variantOf(SIGNAL),
                value -> decodesOrIsPoison(value, ControlSignal.class));
    }

    @Test
    void anyChainTemplateParsesOrIsRefusedNamingItsField() {
        SeededCases.check(5_000, 300, EnvelopePropertiesTest::template, source -> {
            try {
                ChainTemplate.parse(source, "policy.onSuccess.with.took");
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).startsWith("policy.onSuccess.with.took");
            }
        });
    }

    @Test
    void anyResultHeadersGiveASummaryOrNone() {
        SeededCases.check(6_000, 200, hostile -> List.of(headerValue(hostile), headerValue(hostile)), values -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(FanoutHeaders.ITEM_INDEX, values.get(0));
            headers.add(ResultHeaders.ITEM_STATUS, values.get(1));
            ResultHeaders.summary(headers).ifPresent(summary -> assertThat(summary.index()).isNotNegative());
            assertThat(FanoutHeaders.number(headers, FanoutHeaders.ITEM_INDEX)).isNotNull();
        });
    }

    /** Pieces of placeholders put together, or any text. */
    private static String template(HostileInputs hostile) {
        if (hostile.between(0, 1) == 0) {
            return hostile.text(30);
        }
        return String.join("", hostile.listOf(8, () -> hostile.oneOf("{{", "}}", " ", ".", ".status", ".execution",
                ".duration", ".0", ".output", "9999999999", "{{ .output.2147483648 }}", "x", "\u0000", "\uD800",
                "{{ .", "}}}")));
    }

    private static byte[] headerValue(HostileInputs hostile) {
        return hostile.between(0, 1) == 0 ? hostile.bytes()
                : utf8(hostile.oneOf("7", "-1", "99999999999999999999", " 12 ", "SUCCEEDED", "FAILED", "", "\u00ff"));
    }

    /** Decodes the value: either it decodes or it is poison with a message free of parser internals. */
    static <T> void decodesOrIsPoison(byte[] value, Class<T> type) {
        try {
            assertThat(Envelopes.decode(value, type)).isNotNull();
        } catch (PoisonRecordException e) {
            assertThat(e.reason()).isEqualTo(FailureReason.POISON);
            assertThat(e.getMessage()).isNotBlank().doesNotContain("com.fasterxml").doesNotContain("Exception");
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
