package dev.fanout.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.PermanentException;
import dev.fanout.testkit.HostileInputs;
import dev.fanout.testkit.SeededCases;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Property test (seeded cases, {@link SeededCases}) of the {@code http} handler's templates: any template over any
 * payload renders or fails with a {@link PermanentException} naming the placeholder; never another exception.
 */
class TemplatePropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anyTemplateOverAnyPayloadRendersOrFailsPermanently() {
        SeededCases.check(22_000, 200, TemplatePropertiesTest::templateAndPayload, input -> {
            Item item = new Item(JSON.readTree("{\"p\":" + JSON.writeValueAsString(new String(input.payload(),
                    StandardCharsets.UTF_8)) + "}"), JSON.createObjectNode(),
                    new ItemContext("b", "1", 1, 2, null, 1, 1, "t", Instant.parse("2030-01-01T00:00:00Z"), "http"));
            try {
                assertThat(Templates.render(input.template(), item,
                        value -> URLEncoder.encode(value, StandardCharsets.UTF_8))).isNotNull();
            } catch (PermanentException e) {
                assertThat(e.getMessage()).startsWith("the template needs '");
            }
        });
    }

    /** A template of up to five pieces and the bytes of the payload's one field. */
    record TemplateAndPayload(String template, byte[] payload) {
    }

    private static TemplateAndPayload templateAndPayload(HostileInputs hostile) {
        String template = String.join("", hostile.listOf(5, () -> hostile.oneOf("{{", "}}", "{{ p }}", "{{p}}",
                "{{ p.q }}", "{{batchId}}", "{{index}}", "{{ }}", "x", "{{a..b}}", "{{-}}", "{{.}}", "\\", "$1",
                "{{p}}{{p}}")));
        return new TemplateAndPayload(template, hostile.bytes());
    }
}
