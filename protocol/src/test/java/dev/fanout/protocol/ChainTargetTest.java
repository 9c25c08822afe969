package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainTargetTest {

    private static final String POLICY_WITH_CHAIN = """
            {"strategy":"wait_all","onSuccess":{"topic":"next-step","with":{"results":"{{ .output }}",\
            "failed":"{{ .failed_tasks }}","took":"{{ .execution.duration }}"}},"onError":{"topic":"alerts"}}""";

    @Test
    void aPolicyWithChainingTargetsSurvivesARoundTripInsideADefinition() throws Exception {
        BatchPolicy policy = Envelopes.mapper().readValue(POLICY_WITH_CHAIN, BatchPolicy.class);
        BatchDefinition definition = new BatchDefinition(Envelopes.SCHEMA_VERSION, "b1", "echo", 3L, true, policy,
                Lane.NORMAL, Instant.parse("2026-01-01T00:00:00Z"));

        BatchDefinition decoded = Envelopes.decode(Envelopes.encode(definition), BatchDefinition.class);

        assertThat(decoded).isEqualTo(definition);
        assertThat(decoded.policy().onSuccess().topic()).isEqualTo("next-step");
        assertThat(decoded.policy().onSuccess().with()).containsExactly(Map.entry("results", "{{ .output }}"),
                Map.entry("failed", "{{ .failed_tasks }}"), Map.entry("took", "{{ .execution.duration }}"));
        assertThat(decoded.policy().onError()).isEqualTo(ChainTarget.of("alerts"));
    }

    @Test
    void aPolicyWithoutChainingIsWrittenAsBefore() {
        String json = new String(Envelopes.encode(BatchPolicy.ofDefaults()), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(json).doesNotContain("onSuccess").doesNotContain("onError");
    }

    @Test
    void anUnknownTemplateFieldIsRefusedWithTheFieldNamed() {
        String json = POLICY_WITH_CHAIN.replace("{{ .output }}", "{{ .outpt }}");

        assertThatThrownBy(() -> Envelopes.mapper().readValue(json, BatchPolicy.class))
                .hasMessageContaining("policy.onSuccess.with.results: unknown field '.outpt' in \"{{ .outpt }}\"")
                .hasMessageContaining("known fields: .batchId");
    }

    @Test
    void templateErrorsNameTheFieldAndTheRule() {
        assertThatThrownBy(() -> ChainTemplate.parse("took {{ .execution.duration", "policy.onError.with.took"))
                .hasMessage("policy.onError.with.took: '{{' at character 6 of \"took {{ .execution.duration\" is never"
                        + " closed with '}}'");
        assertThatThrownBy(() -> ChainTemplate.parse("{{ output }}", "f"))
                .hasMessageContaining("f: '{{ output }}' in \"{{ output }}\" is not a field path");
        assertThatThrownBy(() -> ChainTemplate.parse("{{ .execution.length }}", "f"))
                .hasMessageContaining("unknown field '.execution.length'").hasMessageContaining(".execution.duration");
        assertThatThrownBy(() -> ChainTemplate.parse("{{}}", "f")).hasMessageContaining("is not a field path");
    }

    @Test
    void targetShapeErrorsNameTheField() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("topic", "bad topic");
        assertThatThrownBy(() -> ChainTarget.parse(node, "policy.onError"))
                .hasMessage("policy.onError.topic must be a Kafka topic name (1 to 249 letters, digits, '.', '_' and"
                        + " '-'), was 'bad topic'");
        assertThatThrownBy(() -> ChainTarget.parse(JsonNodeFactory.instance.objectNode().put("topics", "x"),
                "policy.onSuccess"))
                .hasMessage("unknown field 'policy.onSuccess.topics'; known fields here: topic, with");
        ObjectNode numeric = JsonNodeFactory.instance.objectNode().put("topic", "t");
        numeric.putObject("with").put("count", 3);
        assertThatThrownBy(() -> ChainTarget.parse(numeric, "policy.onSuccess"))
                .hasMessageContaining("policy.onSuccess.with.count must be a template in quotes");
        assertThatThrownBy(() -> ChainTarget.parse(JsonNodeFactory.instance.objectNode(), "policy.onSuccess"))
                .hasMessageContaining("policy.onSuccess.topic is required");
    }

    @Test
    void aSinglePlaceholderKeepsItsJsonTypeAndMixedTextBecomesText() {
        ObjectNode model = JsonNodeFactory.instance.objectNode().put("status", "SUCCEEDED").put("succeeded", 3);
        model.putArray("output").add(JsonNodeFactory.instance.objectNode().put("x", 1)).add(2);
        model.putObject("execution").put("duration", "1.5s");

        assertThat(ChainTemplate.parse("{{ .output }}", "f").render(model)).isEqualTo(model.get("output"));
        assertThat(ChainTemplate.parse("{{.succeeded}}", "f").render(model).isNumber()).isTrue();
        assertThat(ChainTemplate.parse("{{ .output.0.x }}", "f").render(model).asInt()).isEqualTo(1);
        assertThat(ChainTemplate.parse("{{ .status }} after {{ .execution.duration }}: {{ .output.0 }}{{ .reason }}",
                "f").render(model).textValue()).isEqualTo("SUCCEEDED after 1.5s: {\"x\":1}");
        assertThat(ChainTemplate.parse("{{ .reason }}", "f").render(model).isNull()).isTrue();
        assertThat(ChainTemplate.parse("plain text", "f").render(model).textValue()).isEqualTo("plain text");
    }

    @Test
    void aTargetListsTheRootsItsTemplatesNeedInOrder() {
        Map<String, String> with = new LinkedHashMap<>();
        with.put("a", "{{ .failed_tasks }} and {{ .output.0 }}");
        with.put("b", "{{ .status }}");
        ChainTarget target = new ChainTarget("t", with);

        assertThat(target.templates().get("a").roots()).containsExactly("failed_tasks", "output");
        JsonNode rendered = target.templates().get("b").render(JsonNodeFactory.instance.objectNode().put("status", "x"));
        assertThat(rendered.textValue()).isEqualTo("x");
    }
}
