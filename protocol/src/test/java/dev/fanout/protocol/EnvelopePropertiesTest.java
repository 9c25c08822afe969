package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testkit.HostileJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Property tests (jqwik) of the record codec and the other protocol parsers: whatever the bytes, decoding gives a
 * value or the documented error ({@link PoisonRecordException} for an envelope, {@link IllegalArgumentException} for a
 * chain template), never another exception, and the message never leaks a parser's class names.
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

    @Example
    void theValidDocumentsDecode() {
        assertThat(Envelopes.decode(utf8(JOB), JobRecord.class).execution().retry().maximumAttempts()).isEqualTo(3);
        assertThat(Envelopes.decode(utf8(RESULT), ItemResult.class).deadLettered()).isTrue();
        assertThat(Envelopes.decode(utf8(DEFINITION), BatchDefinition.class).policy().onSuccess()).isNotNull();
        assertThat(Envelopes.decode(utf8(SIGNAL), ControlSignal.class).batchId()).isEqualTo("b1");
    }

    @Property(tries = 400)
    void anyJobRecordValueDecodesOrIsPoison(@ForAll("jobs") byte[] value) {
        decodesOrIsPoison(value, JobRecord.class);
    }

    @Property(tries = 200)
    void anyResultValueDecodesOrIsPoison(@ForAll("results") byte[] value) {
        decodesOrIsPoison(value, ItemResult.class);
    }

    @Property(tries = 200)
    void anyBatchDefinitionValueDecodesOrIsPoison(@ForAll("definitions") byte[] value) {
        decodesOrIsPoison(value, BatchDefinition.class);
    }

    @Property(tries = 100)
    void anyControlSignalValueDecodesOrIsPoison(@ForAll("signals") byte[] value) {
        decodesOrIsPoison(value, ControlSignal.class);
    }

    @Property(tries = 300)
    void anyChainTemplateParsesOrIsRefusedNamingItsField(@ForAll("templates") String source) {
        try {
            ChainTemplate.parse(source, "policy.onSuccess.with.took");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("policy.onSuccess.with.took");
        }
    }

    @Property(tries = 200)
    void anyResultHeadersGiveASummaryOrNone(@ForAll("headerValues") byte[] index, @ForAll("headerValues") byte[] status) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FanoutHeaders.ITEM_INDEX, index);
        headers.add(ResultHeaders.ITEM_STATUS, status);
        ResultHeaders.summary(headers).ifPresent(summary -> assertThat(summary.index()).isNotNegative());
        assertThat(FanoutHeaders.number(headers, FanoutHeaders.ITEM_INDEX)).isNotNull();
    }

    @Provide
    Arbitrary<byte[]> jobs() {
        return HostileJson.variantsOf(JOB);
    }

    @Provide
    Arbitrary<byte[]> results() {
        return HostileJson.variantsOf(RESULT);
    }

    @Provide
    Arbitrary<byte[]> definitions() {
        return HostileJson.variantsOf(DEFINITION);
    }

    @Provide
    Arbitrary<byte[]> signals() {
        return HostileJson.variantsOf(SIGNAL);
    }

    @Provide
    Arbitrary<String> templates() {
        Arbitrary<String> pieces = Arbitraries.of("{{", "}}", " ", ".", ".status", ".execution", ".duration", ".0",
                ".output", "9999999999", "{{ .output.2147483648 }}", "x", "\u0000", "\uD800", "{{ .", "}}}");
        return Arbitraries.oneOf(pieces.list().ofMaxSize(8).map(list -> String.join("", list)),
                Arbitraries.strings().all().ofMaxLength(30));
    }

    @Provide
    Arbitrary<byte[]> headerValues() {
        return Arbitraries.oneOf(HostileJson.bytes(),
                Arbitraries.of(List.of("7", "-1", "99999999999999999999", " 12 ", "SUCCEEDED", "FAILED", "", "\u00ff"))
                        .map(EnvelopePropertiesTest::utf8));
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
