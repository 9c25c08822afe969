package dev.fanout.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints every long-running service serves (worker, broker command, dispatcher; the aggregator serves the
 * same on its results API), in the conventions Kubernetes probes and Prometheus expect:
 * <ul>
 *   <li>{@code GET /healthz}: alive. 200 {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN","reason":...}} when
 *       the process can no longer do its job and should be restarted;</li>
 *   <li>{@code GET /readyz}: ready for work. 200 {@code {"status":"READY"}}, or 503
 *       {@code {"status":"NOT_READY","reason":...}} while starting (not yet assigned, not caught up);</li>
 *   <li>{@code GET /metrics}: the service's {@link ServiceMetrics} in the Prometheus text format, when it has them.</li>
 * </ul>
 * It binds {@code 127.0.0.1} unless told otherwise; the port may be 0 for a free one. Nothing it serves changes
 * state, and a check that throws answers 503 with a reference to the log, never the exception's text.
 */
public final class ServiceEndpoints implements AutoCloseable {

    /** Binds the loopback interface only, unless a service is told otherwise. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Port 0: a free port, printed by the service at start. */
    public static final int FREE_PORT = 0;
    /** Port -1: no endpoints. */
    public static final int DISABLED = -1;
    /** Liveness, as Kubernetes probes and the deployment files ask it (the aggregator serves the same paths). */
    public static final String HEALTH_PATH = "/healthz";
    /** Readiness. */
    public static final String READY_PATH = "/readyz";
    /** Prometheus text. */
    public static final String METRICS_PATH = "/metrics";

    private static final Logger log = LoggerFactory.getLogger(ServiceEndpoints.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private ServiceEndpoints(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving.
     *
     * @param liveness  asked on every {@code /healthz}; must be quick and never block
     * @param readiness asked on every {@code /readyz} (only when alive); must be quick and never block
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static ServiceEndpoints start(String host, int port, Supplier<Check> liveness, Supplier<Check> readiness) {
        return start(host, port, liveness, readiness, null);
    }

    /**
     * Starts serving the health endpoints and, when {@code metrics} is given, {@code GET /metrics} in the Prometheus
     * text format.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static ServiceEndpoints start(String host, int port, Supplier<Check> liveness, Supplier<Check> readiness,
            ServiceMetrics metrics) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(liveness, "liveness");
        Objects.requireNonNull(readiness, "readiness");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("httpPort must be between 0 and 65535, was " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve health endpoints on " + host + ":" + port + " ("
                    + e.getMessage() + "); choose another --http-port, or 0 for a free one", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fanout-endpoints");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext(HEALTH_PATH, exchange -> answer(exchange, liveness, "UP", "DOWN"));
        server.createContext(READY_PATH, exchange -> answer(exchange, () -> liveness.get().and(readiness.get()),
                "READY", "NOT_READY"));
        if (metrics != null) {
            server.createContext(METRICS_PATH, metrics.httpHandler());
        }
        server.createContext("/", exchange -> reply(exchange, 404, "{\"error\":\"not found; this service serves"
                + " /healthz, /readyz" + (metrics == null ? "" : " and /metrics") + "\"}"));
        server.start();
        return new ServiceEndpoints(server, executor);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public URI url() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    private static void answer(HttpExchange exchange, Supplier<Check> asked, String up, String down) {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "{\"error\":\"only GET and HEAD\"}");
            return;
        }
        Check check;
        try {
            check = asked.get();
        } catch (RuntimeException e) {
            check = Check.failing(ErrorReference.describe(log, "the health check failed", e));
        }
        String body = check.passing() ? "{\"status\":\"" + up + "\"}"
                : "{\"status\":\"" + down + "\",\"reason\":" + jsonString(check.reason()) + "}";
        reply(exchange, check.passing() ? 200 : 503, body);
    }

    private static void reply(HttpExchange exchange, int status, String body) {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            log.debug("could not answer {} (client gone?)", exchange.getRequestURI(), e);
        }
    }

    /** A JSON string literal. */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Stops serving and releases the port. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
