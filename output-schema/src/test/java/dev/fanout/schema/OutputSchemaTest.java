package dev.fanout.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

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
}
