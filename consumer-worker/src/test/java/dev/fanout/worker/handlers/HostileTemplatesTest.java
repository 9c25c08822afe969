package dev.fanout.worker.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.PermanentException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/TESTING.md for the {@code http} handler's templates: a template an item cannot
 * fill, or fills with a value that would break the URL or a header, fails the item permanently (not retried) before
 * anything is sent; values in the URL are URL-encoded.
 */
class HostileTemplatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> templates() {
        return Stream.of(
                Arguments.of("template: `{{customer.id}}`, payload without it", "http://127.0.0.1:1/{{customer.id}}",
                        "{\"note\":\"ok\"}",
                        "the template needs 'customer.id', which the item's payload does not have as a value"),
                Arguments.of("template: `{{customer}}` names an object", "http://127.0.0.1:1/{{customer}}",
                        "{\"note\":\"ok\",\"customer\":{\"id\":1}}",
                        "the template needs 'customer', which the item's payload does not have as a value"),
                Arguments.of("template: a header value with CR LF from the payload", "http://127.0.0.1:1/x",
                        "{\"note\":\"a\\r\\nX-Injected: 1\"}", "http.headers.X-Note rendered for this item is not a"
                                + " valid header value (line breaks and control characters are refused)"),
                Arguments.of("template: a URL with a space around the placeholder", "http://127.0.0.1:1/a b/{{id}}",
                        "{\"note\":\"ok\",\"id\":7}", "http.url rendered for this item is not a valid URL: Illegal"
                                + " character in path at index 20: http://127.0.0.1:1/a b/7"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void anItemThatCannotFillTheTemplatesFailsPermanentlyBeforeSending(String input, String url, String payload,
            String expected) throws Exception {
        JsonNode settings = JSON.readTree("{\"url\":" + JSON.writeValueAsString(url)
                + ",\"method\":\"GET\",\"headers\":{\"X-Note\":\"{{note}}\"},\"timeout\":\"1s\"}");
        Item item = item(JSON.readTree(payload));
        assertThatThrownBy(() -> new HttpHandlerProvider().create(settings).handle(item))
                .isInstanceOf(PermanentException.class).hasMessage(expected);
    }

    @Test
    void aPathTraversalValueIsEncodedIntoOneSegment() throws Exception {
        String rendered = Templates.render("http://api/users/{{id}}", item(JSON.readTree("{\"id\":\"../admin?x=1#\"}")),
                value -> URLEncoder.encode(value, StandardCharsets.UTF_8));
        assertThat(rendered).isEqualTo("http://api/users/..%2Fadmin%3Fx%3D1%23");
    }

    static Item item(JsonNode payload) {
        return new Item(payload, JSON.createObjectNode(), new ItemContext("b", "3", 3, 10, "k", 1, 1, "trace-b-3",
                Instant.parse("2030-01-01T00:00:00Z"), "http"));
    }
}
