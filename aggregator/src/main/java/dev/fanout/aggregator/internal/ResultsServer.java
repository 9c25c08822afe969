package dev.fanout.aggregator.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.aggregator.dashboard.Dashboard;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.ops.ErrorReference;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results API's HTTP server (the JDK's {@code com.sun.net.httpserver}). It is bound first, so its port can be
 * advertised as Kafka Streams' {@code application.server}, and started once the stores can be located. Requests are
 * answered by {@link ResultsRoutes} on a virtual thread each, except {@code /healthz} and {@code /readyz}, which
 * {@link Health} answers, {@code /metrics} (Prometheus text), and {@code /} and {@code /ui/...}, the live
 * {@link Dashboard}.
 */
public final class ResultsServer implements AutoCloseable {

    /** Liveness: {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN","reason":...}}. */
    public static final String HEALTHZ = ServiceEndpoints.HEALTH_PATH;
    /** Readiness: {@code {"status":"READY"}}, or 503 {@code {"status":"NOT_READY","reason":...}}. */
    public static final String READYZ = ServiceEndpoints.READY_PATH;
    /** The aggregator's metrics in the Prometheus text format. */
    public static final String METRICS = ServiceEndpoints.METRICS_PATH;

    private static final Logger log = LoggerFactory.getLogger(ResultsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean started;
    private volatile ResultsRoutes routes;
    private volatile Dashboard dashboard;

    private ResultsServer(HttpServer server) {
        this.server = server;
        // a virtual thread per request: the dashboard's event streams hold theirs for as long as they are open
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fanout-results-api-", 1)
                .factory());
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
    public void start(StoreLocator locator, String topicPrefix, Health.Probe health, ServiceMetrics metrics,
            JobReader jobs, DashboardSettings dashboardSettings, Supplier<Optional<String>> workers) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        server.createContext(METRICS, metrics.httpHandler());
        ResultsRoutes routes = new ResultsRoutes(locator, jobs);
        this.routes = routes;
        Dashboard dashboard = new Dashboard(dashboardSettings, path -> {
            ResultsRoutes.Answer answer = routes.answer("GET", URI.create(path), false);
            if (answer.status() != 200) {
                return Optional.empty();
            }
            byte[] body = answer.body() != null ? answer.body() : Envelopes.encode(answer.value());
            return Optional.of(new String(body, StandardCharsets.UTF_8));
        }, workers);
        this.dashboard = dashboard;
        server.createContext("/", exchange -> {
            if (Dashboard.owns(exchange.getRequestURI().getPath())) {
                dashboard.handle(exchange);
            } else {
                answer(exchange, routes, topicPrefix);
            }
        });
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
                    answer = new Health.Answer(503, new Health.Status(failed, ErrorReference.describe(log,
                            "the health check failed", e)));
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
                log.debug("results API request {} met moving stores", exchange.getRequestURI(), e);
                answer = ResultsRoutes.problem(503, "the aggregator's stores are moving (rebalance); retry");
            } catch (RuntimeException e) {
                answer = ResultsRoutes.problem(500, ErrorReference.describe(log, "the request "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " failed", e));
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
        if (dashboard != null) {
            dashboard.close(); // ends the event streams, so stopping need not wait for them
        }
        server.stop(started ? 1 : 0);
        executor.shutdownNow();
        if (routes != null) {
            routes.close();
        }
    }
}
