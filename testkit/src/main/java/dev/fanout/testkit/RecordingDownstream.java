package dev.fanout.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP downstream on 127.0.0.1 (the JDK's {@code com.sun.net.httpserver}) that answers every request
 * {@code 200 {"ok":true}} and notes when each one arrived and at which path, so a test can count the requests in
 * every sliding window the way the downstream sees them, and tell callers apart by the paths they were given.
 */
public final class RecordingDownstream implements AutoCloseable {

    private static final byte[] OK = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    /** One request: {@code System.nanoTime()} at its arrival, and its path. */
    private record Arrival(long nanos, String path) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());

    private RecordingDownstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts the downstream on a free port. */
    public static RecordingDownstream start() {
        try {
            return new RecordingDownstream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test downstream", e);
        }
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests received so far. */
    public int count() {
        return arrivals.size();
    }

    /** Requests received so far at paths that start with {@code prefix}. */
    public long count(String prefix) {
        synchronized (arrivals) {
            return arrivals.stream().filter(arrival -> arrival.path().startsWith(prefix)).count();
        }
    }

    /** The most requests that arrived in any window {@code [t, t + length)}. */
    public int mostInAnyWindow(Duration length) {
        return mostInAnyWindow(sortedArrivals(), length.toNanos());
    }

    /** The same among the requests that arrived at or after {@code nanoTime} ({@link System#nanoTime()}). */
    public int mostInAnyWindowSince(long nanoTime, Duration length) {
        return mostInAnyWindow(sortedArrivals().stream().filter(arrival -> arrival - nanoTime >= 0).toList(),
                length.toNanos());
    }

    /** Requests per second from the first arrival to the last. */
    public double meanRatePerSecond() {
        List<Long> sorted = sortedArrivals();
        if (sorted.size() < 2) {
            return 0;
        }
        return (sorted.size() - 1) * 1e9 / (sorted.getLast() - sorted.getFirst());
    }

    /**
     * The most of the sorted times in any window {@code [t, t + length)}. Checking the windows that start at each
     * time is enough: any window holds no more than the one that starts at its first time.
     */
    public static int mostInAnyWindow(List<Long> sorted, long length) {
        int most = 0;
        int end = 0;
        for (int start = 0; start < sorted.size(); start++) {
            long limit = sorted.get(start) + length;
            while (end < sorted.size() && sorted.get(end) < limit) {
                end++;
            }
            most = Math.max(most, end - start);
        }
        return most;
    }

    private List<Long> sortedArrivals() {
        synchronized (arrivals) {
            return arrivals.stream().map(Arrival::nanos).sorted().toList();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        arrivals.add(new Arrival(System.nanoTime(), exchange.getRequestURI().getPath()));
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, OK.length);
            exchange.getResponseBody().write(OK);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
