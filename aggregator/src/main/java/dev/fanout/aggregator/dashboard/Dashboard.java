package dev.fanout.aggregator.dashboard;

import com.sun.net.httpserver.HttpExchange;
import dev.fanout.aggregator.dashboard.DashboardActions.Action;
import dev.fanout.ops.ErrorReference;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard at {@code /} of the aggregator's HTTP port: plain HTML, CSS and JavaScript from the jar, which
 * read the results API, plus its own routes under {@code /ui/}:
 *
 * <pre>
 * GET  /ui/events?batch=           Server-Sent Events: batches, batch (when one is named), workers
 * GET  /ui/api/config              {"actions": true|false}
 * GET  /ui/api/workers             the worker registry
 * POST /ui/api/actions/{id}/{pause|resume|cancel|replay}   only with actions on, with Authorization: Bearer TOKEN
 * GET  /ui/{file}                  the page's files
 * </pre>
 */
public final class Dashboard implements AutoCloseable {

    /** How often the live events take a snapshot. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** How many event streams may be open at once. */
    public static final int MAX_LISTENERS = 32;
    private static final String ASSETS = "/dev/fanout/aggregator/dashboard/";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

    private final DashboardSettings settings;
    private final Supplier<Optional<String>> workers;
    private final LiveEvents events;

    /**
     * @param settings read-only, or actions with their token
     * @param api      answers a results API path with its JSON body, empty when it cannot (not 200)
     * @param workers  the worker registry as JSON, empty when it cannot be read now
     */
    public Dashboard(DashboardSettings settings, Function<String, Optional<String>> api,
            Supplier<Optional<String>> workers) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.events = new LiveEvents(api, workers, INTERVAL, MAX_LISTENERS);
    }

    /** Whether this request is the dashboard's: {@code /} and {@code /ui/...}. */
    public static boolean owns(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/ui/");
    }

    /** Answers one of its requests. */
    public void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (IllegalArgumentException badEncoding) {
                // URLDecoder: a '%' not followed by two hex digits (e.g. %25ZZ in the path, decoded twice)
                json(exchange, 400, new Problem(400, "the request's URL is not valid URL encoding"));
            }
        } catch (IOException e) {
            log.debug("dashboard: could not answer {} (client gone?)", exchange.getRequestURI(), e);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.startsWith("/ui/api/actions/")) {
            action(exchange, path.substring("/ui/api/actions/".length()));
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            json(exchange, 405, new Problem(405, "only GET is supported here, was " + method));
        } else if (path.equals("/ui/events")) {
            events.serve(exchange, query(exchange.getRequestURI().getRawQuery(), "batch"));
        } else if (path.equals("/ui/api/config")) {
            json(exchange, 200, Map.of("actions", settings.enabledActions().isPresent()));
        } else if (path.equals("/ui/api/workers")) {
            Optional<String> list = workers.get();
            if (list.isPresent()) {
                send(exchange, 200, "application/json; charset=utf-8", list.get().getBytes(StandardCharsets.UTF_8));
            } else {
                json(exchange, 503, new Problem(503, "the worker registry cannot be read now; retry"));
            }
        } else {
            asset(exchange, path.equals("/") ? "index.html" : path.substring(path.lastIndexOf('/') + 1));
        }
    }

    private void action(HttpExchange exchange, String rest) throws IOException {
        Optional<DashboardActions> actions = settings.enabledActions();
        if (actions.isEmpty()) {
            json(exchange, 404, new Problem(404, "dashboard actions are off; start the aggregator with --ui-actions"
                    + " to pause, resume, cancel and replay from the dashboard"));
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            json(exchange, 405, new Problem(405, "actions are POST requests"));
            return;
        }
        String header = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
        byte[] given = header.startsWith("Bearer ") ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, settings.token().getBytes(StandardCharsets.UTF_8))) {
            json(exchange, 401, new Problem(401, "a dashboard action needs the aggregator's token"
                    + " (Authorization: Bearer <token>); it is in FANOUT_UI_TOKEN or the file the aggregator named"
                    + " when it started"));
            return;
        }
        int slash = rest.lastIndexOf('/');
        if (slash <= 0) {
            json(exchange, 404, new Problem(404, "actions are POST /ui/api/actions/{batchId}/{pause|resume|cancel|"
                    + "replay}"));
            return;
        }
        String batchId = URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8);
        try {
            Action action = Action.of(rest.substring(slash + 1));
            String done = actions.get().perform(action, batchId);
            log.info("dashboard action {} on batch {}: {}", action, batchId, done);
            json(exchange, 200, Map.of("batchId", batchId, "action", action.name().toLowerCase(), "result", done));
        } catch (IllegalArgumentException e) {
            json(exchange, 400, new Problem(400, e.getMessage()));
        } catch (Exception e) {
            json(exchange, 500, new Problem(500, ErrorReference.describe(log, "the action " + rest.substring(slash + 1)
                    + " failed", e)));
        }
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        InputStream in = type == null || !name.matches("[a-z0-9-]+\\.[a-z]+") ? null
                : Dashboard.class.getResourceAsStream(ASSETS + name);
        if (in == null) {
            json(exchange, 404, new Problem(404, "no such dashboard file: " + exchange.getRequestURI().getPath()
                    + "; the dashboard is at /"));
            return;
        }
        try (in) {
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", Envelopes.encode(value));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                String value = URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** Ends every event stream. */
    @Override
    public void close() {
        events.close();
    }
}
