package dev.fanout.worker.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.config.Durations;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import dev.fanout.handler.RetriableException;
import dev.fanout.handler.ThrottledException;
import dev.fanout.protocol.Envelopes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code http}: calls a URL per item. Settings: {@code url} (required; {@code {{field}}} placeholders from the
 * payload and {@code {{batchId}}}, {@code {{itemId}}}, {@code {{index}}}, {@code {{traceId}}}, URL-encoded),
 * {@code method} (default POST), {@code headers}, {@code body} ({@code payload}, the default, or {@code none}),
 * {@code timeout} (default 30s). A 2xx answer is success and its body the output (JSON when it parses, text
 * otherwise); 429 is a {@link ThrottledException} honouring {@code Retry-After}; 5xx and network errors are
 * retriable; other 4xx are permanent. Every call carries {@code X-Fanout-Trace-Id}.
 */
public final class HttpHandlerProvider implements ItemHandlerProvider {

    public static final String NAME = "http";
    private static final Set<String> SETTINGS = Set.of("url", "method", "headers", "body", "timeout");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    @Override
    public String name() {
        return NAME;
    }

    /** An http handler needs a URL: it is offered only as configured under {@code handlers}. */
    @Override
    public boolean offeredByDefault() {
        return false;
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        HandlerSettings.requireKnown(settings, NAME, SETTINGS);
        String url = settings.path("url").asText("");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("http.url must be an http:// or https:// URL, was '" + url + "'");
        }
        String method = settings.path("method").asText("POST").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("http.method must be one of " + METHODS + ", was '" + method + "'");
        }
        String body = settings.path("body").asText("payload");
        if (!body.equals("payload") && !body.equals("none")) {
            throw new IllegalArgumentException("http.body must be payload or none, was '" + body + "'");
        }
        Duration timeout = settings.has("timeout")
                ? Durations.parse(settings.get("timeout").asText(), "http.timeout") : Duration.ofSeconds(30);
        Map<String, String> headers = new LinkedHashMap<>();
        settings.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        return item -> call(client, item, url, method, body.equals("payload"), headers, timeout);
    }

    private static JsonNode call(HttpClient client, Item item, String url, String method, boolean sendPayload,
            Map<String, String> headers, Duration timeout) throws InterruptedException {
        String rendered = Templates.render(url, item, value -> URLEncoder.encode(value, StandardCharsets.UTF_8));
        URI uri;
        try {
            uri = URI.create(rendered);
        } catch (IllegalArgumentException e) {
            throw new PermanentException("http.url rendered for this item is not a valid URL: " + e.getMessage(), e);
        }
        HttpRequest.BodyPublisher publisher = sendPayload && !method.equals("GET") && !method.equals("DELETE")
                ? HttpRequest.BodyPublishers.ofByteArray(Envelopes.encode(item.payload()))
                : HttpRequest.BodyPublishers.noBody();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).method(method, publisher)
                .header("Content-Type", "application/json")
                .header("X-Fanout-Trace-Id", item.context().traceId());
        headers.forEach((name, value) -> {
            try {
                request.header(name, Templates.render(value, item, v -> v));
            } catch (IllegalArgumentException e) {
                // a value from the payload with a line break or another control character: never sent
                throw new PermanentException("http.headers." + name + " rendered for this item is not a valid header"
                        + " value (line breaks and control characters are refused)", e);
            }
        });
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RetriableException(method + " " + uri + " failed: " + e, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return output(response.body());
        }
        String detail = method + " " + uri + " answered " + status + ": " + abbreviate(response.body());
        if (status == 429) {
            throw new ThrottledException(detail, retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
        }
        if (status >= 500) {
            throw new RetriableException(detail);
        }
        throw new PermanentException(detail);
    }

    private static JsonNode output(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Envelopes.mapper().readTree(body);
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(body);
        }
    }

    /** {@code Retry-After} as seconds or an HTTP date; {@code null} when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
