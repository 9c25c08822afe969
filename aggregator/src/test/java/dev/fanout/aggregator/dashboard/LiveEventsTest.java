package dev.fanout.aggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's Server-Sent Events over a real HTTP connection, on a fake results API. */
class LiveEventsTest {

    private final AtomicReference<String> list = new AtomicReference<>("{\"batches\":[{\"batchId\":\"b\"}]}");
    private final AtomicReference<String> batch = new AtomicReference<>("{\"batchId\":\"b\",\"finished\":1}");
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<Stream<String>> streams = new ArrayList<>();
    private HttpServer server;
    private LiveEvents events;

    @BeforeEach
    void start() throws IOException {
        events = new LiveEvents(path -> Optional.of(path.startsWith("/batches?") ? list.get() : batch.get()),
                () -> Optional.of("{\"workers\":[]}"), Duration.ofMillis(50), 2);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/events", exchange -> {
            try (exchange) {
                String query = exchange.getRequestURI().getQuery();
                events.serve(exchange, query == null ? null : query.substring("batch=".length()));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        events.close();
        streams.forEach(Stream::close);
        server.stop(0);
        client.close();
    }

    /** Opens a stream; its event and data lines (not comments, not blank) arrive in the returned queue. */
    private BlockingQueue<String> listen(String query) throws Exception {
        HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events" + query)).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        streams.add(response.body());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> response.body().filter(line -> line.startsWith("event:")
                || line.startsWith("data:")).forEach(lines::add));
        return lines;
    }

    private static Map<String, String> nextEvent(BlockingQueue<String> lines) throws InterruptedException {
        String event = lines.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        String data = lines.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(event).startsWith("event: ");
        assertThat(data).startsWith("data: ");
        return Map.of(event.substring(7), data.substring(6));
    }

    @Test
    void aListenerHearsTheListTheWorkersAndItsBatchFirstThenOnlyWhatChanged() throws Exception {
        BlockingQueue<String> lines = listen("?batch=b");

        List<Map<String, String>> first = List.of(nextEvent(lines), nextEvent(lines), nextEvent(lines));
        assertThat(first).containsExactlyInAnyOrder(Map.of("batches", list.get()),
                Map.of("workers", "{\"workers\":[]}"), Map.of("batch", batch.get()));

        batch.set("{\"batchId\":\"b\",\"finished\":2}");
        assertThat(nextEvent(lines)).isEqualTo(Map.of("batch", "{\"batchId\":\"b\",\"finished\":2}"));

        list.set("{\"batches\":[{\"batchId\":\"b\"},{\"batchId\":\"c\"}]}");
        assertThat(nextEvent(lines)).isEqualTo(Map.of("batches", list.get()));
    }

    @Test
    void aListenerWithoutABatchHearsNoBatchEvents() throws Exception {
        BlockingQueue<String> lines = listen("");

        assertThat(List.of(nextEvent(lines), nextEvent(lines))).extracting(event -> event.keySet().iterator().next())
                .containsExactlyInAnyOrder("batches", "workers");
        batch.set("{\"batchId\":\"b\",\"finished\":5}");
        list.set("{\"batches\":[]}");
        assertThat(nextEvent(lines)).isEqualTo(Map.of("batches", "{\"batches\":[]}"));
    }

    @Test
    void listenersBeyondTheLimitAreToldToComeBackLater() throws Exception {
        listen("");
        listen("");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.listeners() == 2);

        HttpResponse<String> refused = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
    }

    @Test
    void closingEndsEveryStream() throws Exception {
        BlockingQueue<String> lines = listen("");
        nextEvent(lines);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.listeners() == 1);

        events.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> events.listeners() == 0);
    }
}
