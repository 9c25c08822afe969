package dev.fanout.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.PermanentException;
import dev.fanout.testkit.HostileJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property test (jqwik) of the {@code http} handler's templates: any template over any payload renders or fails
 * with a {@link PermanentException} naming the placeholder; never another exception.
 */
class TemplatePropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 200)
    void anyTemplateOverAnyPayloadRendersOrFailsPermanently(@ForAll("templates") String template,
            @ForAll("payloads") byte[] payload) throws Exception {
        Item item = new Item(JSON.readTree("{\"p\":" + JSON.writeValueAsString(new String(payload,
                StandardCharsets.UTF_8)) + "}"), JSON.createObjectNode(),
                new ItemContext("b", "1", 1, 2, null, 1, 1, "t", Instant.parse("2030-01-01T00:00:00Z"), "http"));
        try {
            assertThat(Templates.render(template, item, value -> URLEncoder.encode(value, StandardCharsets.UTF_8)))
                    .isNotNull();
        } catch (PermanentException e) {
            assertThat(e.getMessage()).startsWith("the template needs '");
        }
    }

    @Provide
    Arbitrary<String> templates() {
        return Arbitraries.of("{{", "}}", "{{ p }}", "{{p}}", "{{ p.q }}", "{{batchId}}", "{{index}}", "{{ }}", "x",
                "{{a..b}}", "{{-}}", "{{.}}", "\\", "$1", "{{p}}{{p}}").list().ofMaxSize(5)
                .map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return HostileJson.bytes();
    }
}
