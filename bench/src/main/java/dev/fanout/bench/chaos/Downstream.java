package dev.fanout.bench.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service the workers' {@code http} handler calls, on 127.0.0.1: {@code POST /items/<batch>/<index>} waits the
 * configured latency and answers {@code 200}, or {@code 422} (a permanent failure: the item is dead-lettered without
 * retries) for every index {@link #fails(long) that fails}. It counts the calls per item, so the fault suite measures
 * reruns where they cost: at the downstream.
 */
final class Downstream implements AutoCloseable {

    /** One item in about a hundred fails, always the same ones. */
    static boolean fails(long index) {
        return index % 97 == 13;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Map<Long, AtomicInteger>> calls = new ConcurrentHashMap<>();
    private final Duration latency;

    private Downstream(Duration latency) throws IOException {
        this.latency = latency;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/items/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static Downstream start(Duration latency) {
        try {
            return new Downstream(latency);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the downstream", e);
        }
    }

    /** The URL template for the workers' {@code http} handler. */
    String urlTemplate() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/items/{{batchId}}/{{index}}";
    }

    /** Items of the batch the downstream was called for at least once. */
    long itemsCalled(String batchId) {
        return calls.getOrDefault(batchId, Map.of()).size();
    }

    /** Calls beyond one per item: runs of an item that a crash, a rebalance or a resume repeated. */
    long reruns(String batchId) {
        return calls.getOrDefault(batchId, Map.of()).values().stream().mapToLong(count -> count.get() - 1L).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String[] parts = exchange.getRequestURI().getPath().split("/");
            if (parts.length != 4) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long index = Long.parseLong(parts[3]);
            calls.computeIfAbsent(parts[2], batch -> new ConcurrentHashMap<>())
                    .computeIfAbsent(index, i -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(latency); // the downstream's own work
            boolean fails = fails(index);
            byte[] body = (fails ? "{\"error\":\"item " + index + " is refused\"}" : "{\"ok\":true}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(fails ? 422 : 200, body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
