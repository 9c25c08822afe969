package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

class OutputSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void anOutputMatchingTheSchemaHasNoViolations() throws Exception {
        OutputSchema schema = OutputSchema.compile(json("""
                {"type":"object","required":["words"],"properties":{"words":{"type":"integer","minimum":0}}}"""));

        assertThat(schema.violations(json("{\"words\":3}"))).isEmpty();
    }

    @Test
    void violationsNameTheOffendingProperty() throws Exception {
        OutputSchema schema = OutputSchema.compile(json("""
                {"type":"object","required":["words"],"properties":{"words":{"type":"integer"}}}"""));

        assertThat(schema.violations(json("{\"words\":\"three\"}"))).singleElement().asString().contains("words");
        assertThat(schema.violations(json("{}"))).singleElement().asString().contains("words");
        assertThat(schema.violations(null)).isNotEmpty();
    }

    @Test
    void aSchemaThatIsNotOneIsRefusedNamingOutputSchema() throws Exception {
        assertThatThrownBy(() -> OutputSchema.compile(json("{\"type\":\"no-such-type\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputSchema");
        assertThatThrownBy(() -> OutputSchema.compile(json("[1,2]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputSchema must be");
    }

    @Test
    void anOlderDraftNamedBySchemaIsHonoured() throws Exception {
        OutputSchema schema = OutputSchema.compile(json("""
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"string","maxLength":3}"""));

        assertThat(schema.violations(json("\"abcd\""))).isNotEmpty();
        assertThat(schema.violations(json("\"abc\""))).isEmpty();
    }

    @Test
    void aRemoteReferenceIsRefusedInsteadOfFetched() throws Exception {
        assertThatThrownBy(() -> OutputSchema.compile(json("{\"$ref\":\"http://127.0.0.1:9/schema.json\"}"))
                .violations(json("{}")))
                .isInstanceOf(RuntimeException.class).hasMessageNotContaining("Connection refused");
        // the loader refuses before any connection is tried (port 9 would refuse it too, with that message)
    }

    @Test
    void jobRecordsCarryExecutionSettingsThroughTheCodec() throws Exception {
        ItemExecution execution = new ItemExecution(
                new RetrySettings(Duration.ofSeconds(2), 3.0, null, 4, List.of("Boom")),
                Duration.ofSeconds(30), TimeoutPolicy.CONTINUE, json("{\"type\":\"object\"}"), false);
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "b", "0", 0, 1L, "echo", null, json("{}"),
                "t", 1, Instant.parse("2026-11-22T00:00:00Z"), null, execution);

        JobRecord decoded = Envelopes.decode(Envelopes.encode(job), JobRecord.class);

        assertThat(decoded).isEqualTo(job);
        assertThat(decoded.execution().deadLetters()).isFalse();
        assertThat(decoded.withAttempt(3).attempt()).isEqualTo(3);
        assertThat(new String(Envelopes.encode(job))).contains("\"onTimeout\":\"continue\"");
    }

    @Test
    void badRetrySettingsNameTheField() {
        assertThatThrownBy(() -> new RetrySettings(null, 0.5, null, null, null))
                .hasMessageContaining("retry.backoffCoefficient");
        assertThatThrownBy(() -> new RetrySettings(null, null, null, 0, null))
                .hasMessageContaining("retry.maximumAttempts");
    }
}
