package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.aggregator.internal.Health;
import dev.fanout.aggregator.internal.JobReader;
import dev.fanout.aggregator.internal.ResultsServer;
import dev.fanout.aggregator.internal.StoreLocator;
import dev.fanout.ops.ServiceMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Errors on the aggregator's HTTP port (results API, health, dashboard) never echo an exception's class, message or
 * stack trace: a failing backend, a failing health check and a failing dashboard action answer a plain sentence
 * with a reference to the log; malformed paths and bad parameters answer the rule that was broken.
 */
class HttpErrorsTest {

    /** What a backend failure says: none of it may reach a client. */
    private static final String SECRET = "jdbc:postgresql://db:5432/prod?password=hunter2";
    private static final String TOKEN = "0123456789abcdef0123";

    /** A locator for requests that must be answered before any store is asked. */
    private static final StoreLocator NEVER_ASKED = new Failing(() -> {
        throw new IllegalStateException("never asked");
    });

    private ResultsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("GET", "/batches/%25ZZ/items/%25", 503, "not ready"),
                Arguments.of("GET", "/batches?limit=abc", 400, "limit must be a whole number from 1 to"),
                Arguments.of("GET", "/batches?limit=99999999999999999999", 400, "limit must be a whole number"),
                Arguments.of("GET", "/batches/b/items?after=-1", 400, "after must be an item index"),
                Arguments.of("GET", "/batches/b/items?status=%00", 400, "status"),
                Arguments.of("GET", "/batches/b?x=1&x=2", 400, "parameter 'x' is given twice; give it once"),
                Arguments.of("GET", "/batches/b/timeline?max=1e9", 400, "max must be a whole number"),
                Arguments.of("GET", "/batches/a/b/c/d/e/f", 404, "no such endpoint"),
                Arguments.of("GET", "/..%2F..%2Fetc%2Fpasswd", 404, "no such endpoint"),
                Arguments.of("DELETE", "/batches/b", 405, "only GET is supported, was DELETE"),
                Arguments.of("POST", "/ui/api/actions/b%25ZZ/pause", 404, "dashboard actions are off"),
                Arguments.of("GET", "/ui/..%2F..%2Fpom.xml", 404, "no such dashboard file"),
                Arguments.of("POST", "/healthz", 405, "only GET is supported, was POST"),
                Arguments.of("GET", "/healthz/x", 404, "no such endpoint"));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @MethodSource("badRequests")
    void aMalformedRequestGetsTheRuleItBrokeAndNoExceptionText(String method, String path, int status, String says)
            throws Exception {
        server = serve(new Failing(() -> new StoreLocator.Unavailable("the aggregator's stores are not ready")),
                ready(), DashboardSettings.readOnly());

        HttpResponse answer = send(method, path, null);

        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.body()).contains(says);
        assertNoExceptionText(answer.body());
    }

    @Test
    void aFailingBackendAnswers500WithAReferenceAndNotTheException() throws Exception {
        server = serve(new Failing(() -> {
            throw new IllegalStateException("cannot reach " + SECRET);
        }), ready(), DashboardSettings.readOnly());

        HttpResponse answer = send("GET", "/batches/b-1", null);

        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).matches(".*the request GET /batches/b-1 failed \\(reference e-[0-9a-f]{8}; the"
                + " service's log has the detail\\).*");
        assertNoExceptionText(answer.body());
    }

    @Test
    void anInstanceThatDoesNotAnswerIsA502WithoutTheConnectionError() throws Exception {
        server = serve(new Failing(() -> new StoreLocator.Remote(URI.create("http://127.0.0.1:1"))), ready(),
                DashboardSettings.readOnly());

        HttpResponse answer = send("GET", "/batches/b-1", null);

        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(answer.body()).contains("the aggregator instance at http://127.0.0.1:1 that holds batch 'b-1' did"
                + " not answer (reference e-");
        assertNoExceptionText(answer.body());
    }

    @Test
    void aHealthCheckThatThrowsIsA503WithAReference() throws Exception {
        server = serve(NEVER_ASKED, new Health.Probe() {
            @Override
            public KafkaStreams.State state() {
                throw new IllegalStateException("streams client closed: " + SECRET);
            }

            @Override
            public Set<Integer> activePartitions() {
                return Set.of();
            }

            @Override
            public Optional<String> unqueryable(int partition) {
                return Optional.empty();
            }

            @Override
            public Optional<String> failure() {
                return Optional.empty();
            }
        }, DashboardSettings.readOnly());

        for (String path : List.of("/healthz", "/readyz")) {
            HttpResponse answer = send("GET", path, null);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.body()).contains("the health check failed (reference e-");
            assertNoExceptionText(answer.body());
        }
    }

    @Test
    void aFailingDashboardActionAnswers500WithAReferenceAndAWrongTokenChangesNothing() throws Exception {
        int[] performed = new int[1];
        server = serve(NEVER_ASKED, ready(), new DashboardSettings((action, batchId) -> {
            performed[0]++;
            throw new IOException("broker at " + SECRET + " refused");
        }, TOKEN));

        HttpResponse refused = send("POST", "/ui/api/actions/b-1/pause", "wrong-token-wrong-token");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(performed[0]).isZero();

        HttpResponse failed = send("POST", "/ui/api/actions/b-1/pause", TOKEN);
        assertThat(performed[0]).isEqualTo(1);
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("the action pause failed (reference e-");
        assertNoExceptionText(failed.body());

        HttpResponse badPath = send("POST", "/ui/api/actions/b%25ZZ/pause", TOKEN); // decodes to b%ZZ
        assertThat(badPath.statusCode()).isEqualTo(400);
        assertThat(badPath.body()).contains("the request's URL is not valid URL encoding");
        assertNoExceptionText(badPath.body());
    }

    @Test
    void theJdkServerRefusesARequestLineThatIsNotAUriBeforeFanoutSeesIt() throws Exception {
        server = serve(NEVER_ASKED, ready(), DashboardSettings.readOnly());

        HttpResponse answer = send("GET", "/batches/%ZZ" + SECRET, null);

        assertThat(answer.statusCode()).isEqualTo(400);
        // the JDK's own page ("URISyntaxException thrown"): no message, no stack, nothing of the request
        assertThat(answer.body()).doesNotContain("hunter2").doesNotContain("\tat ").doesNotContain("Malformed");
    }

    /** No class name, exception message, stack frame or secret. */
    static void assertNoExceptionText(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("hunter2").doesNotContain("jdbc:")
                .doesNotContain("\tat ").doesNotContain("java.").doesNotContain("never asked")
                .doesNotContain("Caused by");
    }

    /** A status and a body. */
    private record HttpResponse(int statusCode, String body) {
    }

    /** Sends a request as written, on a socket: an HTTP client would refuse a path that is not a valid URI. */
    private HttpResponse send(String method, String path, String token) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Content-Length: 0\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headersEnd = response.indexOf("\r\n\r\n");
            return new HttpResponse(Integer.parseInt(response.substring(9, 12)),
                    headersEnd < 0 ? "" : response.substring(headersEnd + 4));
        }
    }

    private static Health.Probe ready() {
        return FakeProbe.ready(0);
    }

    private static ResultsServer serve(StoreLocator locator, Health.Probe probe, DashboardSettings dashboard) {
        ResultsServer server = ResultsServer.bind(AggregatorConfig.DEFAULT_HTTP_HOST, 0, false);
        server.start(locator, "t.", probe, ServiceMetrics.of(new MetricRegistry()), new JobReader(Map.of(), "t."),
                dashboard, Optional::empty);
        return server;
    }

    /** A locator whose every answer comes from {@code where} (which may throw, as a broken backend does). */
    private record Failing(java.util.function.Supplier<StoreLocator.Location> where) implements StoreLocator {

        @Override
        public Location locate(String batchId) {
            return where.get();
        }

        @Override
        public List<Location> everywhere() {
            return List.of(where.get());
        }
    }
}
