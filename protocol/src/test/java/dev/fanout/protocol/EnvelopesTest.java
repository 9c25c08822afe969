package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnvelopesTest {

    private static final JobRecord JOB = new JobRecord(Envelopes.SCHEMA_VERSION, "b1", "0", 0, 2L, "echo", null,
            JsonNodeFactory.instance.objectNode().put("x", 1), JobRecord.defaultTraceId("b1", 0), 1,
            Instant.parse("2026-11-22T00:00:00Z"));

    @Test
    void aJobSurvivesARoundTripAndLeavesAbsentFieldsOut() {
        byte[] bytes = Envelopes.encode(JOB);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("settings")
                .contains("\"createdAt\":\"2026-11-22T00:00:00Z\"");
        assertThat(Envelopes.decode(bytes, JobRecord.class)).isEqualTo(JOB);
    }

    @Test
    void aBatchResultWithoutSettledFromAnEarlierReleaseReadsAsNotSettledAndSettledIsAlwaysWritten() {
        BatchResult earlier = new BatchResult(Envelopes.SCHEMA_VERSION, "b1", BatchStatus.FAILED, 1,
                Strategy.FAIL_FAST, 3, 0, 1, 0, 0, 1, 0, Instant.parse("2026-11-22T00:00:00Z"),
                Instant.parse("2026-11-22T00:00:01Z"), 1000, 10, 0.01, 10, 10, 10, "fail_fast: item 0 failed", null,
                null);
        String json = new String(Envelopes.encode(earlier), StandardCharsets.UTF_8);
        assertThat(json).contains("\"settled\":false");

        BatchResult read = Envelopes.decode(json.replace(",\"settled\":false", "").getBytes(StandardCharsets.UTF_8),
                BatchResult.class);

        assertThat(read.settled()).isFalse();
        assertThat(read).isEqualTo(earlier);
        BatchResult settled = Envelopes.decode(json.replace("\"settled\":false", "\"settled\":true")
                .getBytes(StandardCharsets.UTF_8), BatchResult.class);
        assertThat(settled.settled()).isTrue();
    }

    @Test
    void anUnknownSchemaVersionIsPoisonWithTheFix() {
        String json = json().replace("\"schemaVersion\":1", "\"schemaVersion\":7");
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(PoisonRecordException.class)
                .hasMessage("schemaVersion 7 is not supported (this build reads 1); upgrade the reader or re-publish");
    }

    @Test
    void aMissingIdentityFieldIsNamed() {
        String json = json().replace("\"batchId\":\"b1\",", "");
        assertThatThrownBy(() -> decode(json)).hasMessageContaining("field 'batchId' is required");
    }

    @Test
    void anUnknownFieldIsNamedWithTheKnownOnes() {
        String json = json().replace("{", "{\"colour\":\"red\",");
        assertThatThrownBy(() -> decode(json))
                .hasMessageContaining("unknown field 'colour'; known fields here:")
                .hasMessageContaining("batchId");
    }

    @Test
    void aValueThatIsNotAnObjectOrIsEmptyIsPoison() {
        assertThatThrownBy(() -> Envelopes.decode("[1,2]".getBytes(StandardCharsets.UTF_8), JobRecord.class))
                .hasMessage("the value must be a JSON object, was array");
        assertThatThrownBy(() -> Envelopes.decode(new byte[0], JobRecord.class))
                .hasMessage("the record has no value (null or empty)");
    }

    @Test
    void policiesRefuseImpossibleValuesByName() {
        assertThatThrownBy(() -> BatchPolicy.of(Strategy.WAIT_ALL, 1.5, PartialFailurePolicy.CONTINUE))
                .hasMessage("policy.minSuccessRate must be between 0 and 1, was 1.5");
        assertThatThrownBy(() -> Strategy.of("fastest"))
                .hasMessage("policy.strategy must be one of wait_all, fail_fast, best_effort, race, was 'fastest'");
        assertThat(Strategy.of("FAIL-FAST")).isEqualTo(Strategy.FAIL_FAST);
    }

    @Test
    void itemKeysSortByIndexWithinABatch() {
        assertThat(new ItemKey("b", 9).asString()).isLessThan(new ItemKey("b", 10).asString());
    }

    private static String json() {
        return new String(Envelopes.encode(JOB), StandardCharsets.UTF_8);
    }

    private static JobRecord decode(String json) {
        return Envelopes.decode(json.getBytes(StandardCharsets.UTF_8), JobRecord.class);
    }

    /** A type only this test uses, so nothing else has built its serializer yet. */
    record PreparedProbe(String name, int count) {
    }

    @Test
    void prepareBuildsAndCachesATypesSerializerBeforeItsFirstRecord() {
        var provider = (com.fasterxml.jackson.databind.ser.DefaultSerializerProvider)
                Envelopes.mapper().getSerializerProvider();
        int before = provider.cachedSerializersCount();

        Envelopes.prepare(PreparedProbe.class);

        assertThat(provider.cachedSerializersCount()).isGreaterThan(before);
        assertThat(new String(Envelopes.encode(new PreparedProbe("a", 1)), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"a\",\"count\":1}");
    }
}
