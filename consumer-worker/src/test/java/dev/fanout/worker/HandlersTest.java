package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.PermanentException;
import dev.fanout.handler.RetriableException;
import dev.fanout.handler.ThrottledException;
import dev.fanout.worker.handlers.ExecHandlerProvider;
import dev.fanout.worker.handlers.HttpHandlerProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlersTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private HttpServer server;
    private String base;
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/users/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            seen.put("path", path);
            seen.put("trace", String.valueOf(exchange.getRequestHeaders().getFirst("X-Fanout-Trace-Id")));
            seen.put("token", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            seen.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = path.endsWith("/busy") ? 429 : path.endsWith("/down") ? 503 : path.endsWith("/gone") ? 404 : 200;
            if (status == 429) {
                exchange.getResponseHeaders().add("Retry-After", "7");
            }
            byte[] body = (status == 200 ? "{\"ok\":true}" : "nope").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void httpCallsTheRenderedUrlWithThePayloadAndReturnsTheJsonBody() throws Exception {
        ItemHandler handler = http(JSON.objectNode().put("url", base + "/users/{{user}}")
                .put("method", "PUT").set("headers", JSON.objectNode().put("Authorization", "Bearer {{token}}")));

        JsonNode output = handler.handle(item(JSON.objectNode().put("user", "a b/c").put("token", "t1")));

        assertThat(output.get("ok").asBoolean()).isTrue();
        assertThat(seen.get("path")).isEqualTo("/users/a+b%2Fc");
        assertThat(seen.get("trace")).isEqualTo("trace-b-3");
        assertThat(seen.get("token")).isEqualTo("Bearer t1");
        assertThat(seen.get("body")).contains("\"user\":\"a b/c\"");
    }

    @Test
    void httpStatusesMapToThrottledRetriableAndPermanentFailures() {
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", base + "/users/busy")).handle(item(JSON.objectNode())))
                .isInstanceOf(ThrottledException.class)
                .satisfies(e -> assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(7)))
                .hasMessageContaining("answered 429");
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", base + "/users/down")).handle(item(JSON.objectNode())))
                .isInstanceOf(RetriableException.class).isNotInstanceOf(ThrottledException.class)
                .hasMessageContaining("answered 503: nope");
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", base + "/users/gone")).handle(item(JSON.objectNode())))
                .isInstanceOf(PermanentException.class).hasMessageContaining("answered 404");
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", base + "/users/{{missing}}"))
                .handle(item(JSON.objectNode())))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining("the template needs 'missing'");
    }

    @Test
    void httpRefusesBadSettingsByName() {
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", "ftp://x")))
                .hasMessage("http.url must be an http:// or https:// URL, was 'ftp://x'");
        assertThatThrownBy(() -> http(JSON.objectNode().put("url", base).put("verb", "GET")))
                .hasMessageContaining("http has no setting 'verb'");
    }

    @Test
    void execPassesThePayloadOnStdinAndReturnsStdout() throws Exception {
        ItemHandler handler = exec(List.of("cat"), "10s");

        JsonNode output = handler.handle(item(JSON.objectNode().put("x", 1)));

        assertThat(output.get("x").asInt()).isEqualTo(1);
    }

    @Test
    void execReportsAFailingExitWithItsStderrAndTreatsExitSeventyFiveAsRetriable() {
        assertThatThrownBy(() -> exec(List.of("sh", "-c", "echo broken >&2; exit 3"), "10s").handle(item(JSON.objectNode())))
                .isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("exited with 3: broken");
        assertThatThrownBy(() -> exec(List.of("sh", "-c", "exit 75"), "10s").handle(item(JSON.objectNode())))
                .isInstanceOf(RetriableException.class);
    }

    @Test
    void anExecTimeoutKillsTheWholeProcessTree() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        ItemHandler handler = exec(List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), "500ms");

        assertThatThrownBy(() -> handler.handle(item(JSON.objectNode())))
                .isInstanceOf(RetriableException.class)
                .hasMessageContaining("timed out after 500ms; its process tree was killed");

        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ProcessHandle.of(grandchild).map(p -> !p.isAlive()).orElse(true));
    }

    private static ItemHandler http(ObjectNode settings) {
        return new HttpHandlerProvider().create(settings);
    }

    private static ItemHandler exec(List<String> command, String timeout) {
        ObjectNode settings = JSON.objectNode().put("timeout", timeout);
        ArrayNode parts = settings.putArray("command");
        command.forEach(parts::add);
        return new ExecHandlerProvider().create(settings);
    }

    private static Item item(JsonNode payload) {
        return new Item(payload, JSON.objectNode(), new ItemContext("b", "3", 3, 10, "k", 1, 1, "trace-b-3",
                Instant.MAX, "test"));
    }
}
