package dev.fanout.aggregator.internal;

import dev.fanout.ops.ServiceMetrics;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results API's HTTP server (the JDK's {@code com.sun.net.httpserver}). It is bound first, so its port can be
 * advertised as Kafka Streams' {@code application.server}, and started once the stores can be located. Requests are
 * answered by {@link ResultsRoutes} on a small pool of threads, except {@code /healthz} and {@code /readyz}, which
 * {@link Health} answers, and {@code /metrics} (Prometheus text).
 */
public final class ResultsServer implements AutoCloseable {

    /** Threads answering requests. */
    public static final int THREADS = 4;
    /** Liveness: {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN","reason":...}}. */
    public static final String HEALTHZ = "/healthz";
    /** Readiness: {@code {"status":"READY"}}, or 503 {@code {"status":"NOT_READY","reason":...}}. */
    public static final String READYZ = "/readyz";
    /** The aggregator's metrics in the Prometheus text format. */
    public static final String METRICS = "/metrics";

    private static final Logger log = LoggerFactory.getLogger(ResultsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean started;
    private volatile ResultsRoutes routes;

    private ResultsServer(HttpServer server) {
        this.server = server;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "fanout-results-api-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
    }

    /**
     * Binds a server to {@code host:port}. When {@code port} is taken and {@code fallBack} is true, a free port is
     * taken instead, with a warning.
     *
     * @throws UncheckedIOException when it cannot be bound
     */
    public static ResultsServer bind(String host, int port, boolean fallBack) {
        Objects.requireNonNull(host, "host");
        try {
            return new ResultsServer(HttpServer.create(new InetSocketAddress(host, port), 0));
        } catch (IOException e) {
            if (!fallBack || port == 0) {
                throw new UncheckedIOException("the results API cannot listen on " + host + ":" + port + ": "
                        + e.getMessage(), e);
            }
            ResultsServer server = bind(host, 0, false);
            log.warn("the results API's port {} is taken ({}); serving on port {} instead", port, e.getMessage(),
                    server.port());
            return server;
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Starts answering, from the stores {@code locator} finds, and health from {@code health}.
     *
     * @param topicPrefix the deployment's topic prefix, sent with every answer so clients can tell deployments apart
     */
    public void start(StoreLocator locator, String topicPrefix, Health.Probe health, ServiceMetrics metrics) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        server.createContext(METRICS, metrics.httpHandler());
        ResultsRoutes routes = new ResultsRoutes(locator);
        this.routes = routes;
        server.createContext("/", exchange -> answer(exchange, routes, topicPrefix));
        server.createContext(HEALTHZ, exchange -> answerHealth(exchange, () -> Health.liveness(health),
                Health.DOWN));
        server.createContext(READYZ, exchange -> answerHealth(exchange, () -> Health.readiness(health),
                Health.NOT_READY));
        server.start();
        started = true;
    }

    /** @param failed the status to answer when the check itself fails */
    private static void answerHealth(HttpExchange exchange, Supplier<Health.Answer> check, String failed) {
        try (exchange) {
            String method = exchange.getRequestMethod();
            int code;
            byte[] body;
            if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
                code = 404;
                body = Envelopes.encode(new ResultsApi.Problem(404, "no such endpoint: "
                        + exchange.getRequestURI().getPath() + "; health is at " + HEALTHZ + " and " + READYZ));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                code = 405;
                body = Envelopes.encode(new ResultsApi.Problem(405, "only GET is supported, was " + method));
            } else {
                Health.Answer answer;
                try {
                    answer = check.get();
                } catch (RuntimeException e) {
                    log.warn("health check {} failed", exchange.getRequestURI().getPath(), e);
                    answer = new Health.Answer(503, new Health.Status(failed, "the check failed: " + e));
                }
                code = answer.code();
                body = Envelopes.encode(answer.body());
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(code, -1);
                return;
            }
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            log.debug("could not answer {} (client gone?)", exchange.getRequestURI(), e);
        }
    }

    private static void answer(HttpExchange exchange, ResultsRoutes routes, String topicPrefix) {
        try (exchange) {
            ResultsRoutes.Answer answer;
            try {
                answer = routes.answer(exchange.getRequestMethod(), exchange.getRequestURI(),
                        exchange.getRequestHeaders().getFirst(ResultsApi.FORWARDED_HEADER) != null);
            } catch (InvalidStateStoreException e) {
                answer = ResultsRoutes.problem(503, "the aggregator's stores are moving (rebalance); retry: "
                        + e.getMessage());
            } catch (RuntimeException e) {
                log.error("results API request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                answer = ResultsRoutes.problem(500, "internal error: " + e);
            }
            byte[] body = answer.body() != null ? answer.body() : Envelopes.encode(answer.value());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set(ResultsApi.VERSION_HEADER, ResultsApi.VERSION);
            exchange.getResponseHeaders().set(ResultsApi.TOPIC_PREFIX_HEADER, topicPrefix);
            if (answer.status() == 503) {
                exchange.getResponseHeaders().set("Retry-After", "1");
            }
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            log.debug("results API: could not answer {} (client gone?)", exchange.getRequestURI(), e);
        }
    }

    /** Stops answering (in-flight requests get up to a second) and releases the port. Idempotent. */
    @Override
    public void close() {
        server.stop(started ? 1 : 0);
        executor.shutdownNow();
        if (routes != null) {
            routes.close();
        }
    }
}
