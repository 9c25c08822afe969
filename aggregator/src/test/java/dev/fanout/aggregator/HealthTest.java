package dev.fanout.aggregator;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.ops.ServiceMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.aggregator.internal.Health;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.aggregator.internal.JobReader;
import dev.fanout.aggregator.internal.ResultsServer;
import dev.fanout.aggregator.internal.StoreLocator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /healthz} and {@code /readyz}: what they answer for each state of Kafka Streams, over HTTP. */
class HealthTest {

    private final AtomicReference<Health.Probe> probe = new AtomicReference<>(FakeProbe.ready(0));
    private final HttpClient client = HttpClient.newHttpClient();
    private ResultsServer server;

    @BeforeEach
    void start() {
        server = ResultsServer.bind("127.0.0.1", 0, false);
        server.start(new StoreLocator() {
            @Override
            public Location locate(String batchId) {
                return new Unavailable("not in this test");
            }

            @Override
            public List<Location> everywhere() {
                return List.of();
            }
        }, "t.", new Health.Probe() {
            @Override
            public State state() {
                return probe.get().state();
            }

            @Override
            public Set<Integer> activePartitions() {
                return probe.get().activePartitions();
            }

            @Override
            public Optional<String> unqueryable(int partition) {
                return probe.get().unqueryable(partition);
            }

            @Override
            public Optional<String> failure() {
                return probe.get().failure();
            }
        }, ServiceMetrics.of(new MetricRegistry()),
                new JobReader(Map.of(), "t."), DashboardSettings.readOnly(), Optional::empty);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRunningAggregatorWithItsPartitionsQueryableIsUpAndReadyInTheSharedJsonShapes() throws Exception {
        probe.set(FakeProbe.ready(0, 1));

        HttpResponse<String> alive = get("/healthz");
        HttpResponse<String> ready = get("/readyz");

        assertThat(alive.statusCode()).isEqualTo(200);
        assertThat(alive.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(alive.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"READY\"}");
        assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"ERROR", "PENDING_ERROR", "NOT_RUNNING"})
    void anAggregatorWhoseStreamThreadsDiedIsDownAndNotReadyWithoutTheExceptionText(State state) throws Exception {
        probe.set(new FakeProbe(state, Set.of(), Map.of(),
                Optional.of("a stream thread died of MissingSourceTopicException")));

        HttpResponse<String> alive = get("/healthz");
        HttpResponse<String> ready = get("/readyz");

        assertThat(alive.statusCode()).isEqualTo(503);
        assertThat(alive.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"Kafka Streams is " + state
                + ": a stream thread died; the aggregator's log says why\"}");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("{\"status\":\"NOT_READY\",\"reason\":\"Kafka Streams is " + state);
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"CREATED", "REBALANCING"})
    void anAggregatorWaitingForItsPartitionsIsAliveButNotReady(State state) throws Exception {
        probe.set(FakeProbe.in(state));

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("{\"status\":\"NOT_READY\",\"reason\":\"Kafka Streams is " + state
                + ": partitions are being assigned or stores restored\"}");
    }

    @Test
    void aRunningAggregatorWithoutPartitionsOrWithStoresNotQueryableIsNotReady() throws Exception {
        probe.set(FakeProbe.in(State.RUNNING));
        HttpResponse<String> none = get("/readyz");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.body()).contains("\"status\":\"NOT_READY\"")
                .contains("no partitions are assigned to this instance");

        probe.set(new FakeProbe(State.RUNNING, Set.of(0, 3), Map.of(3, "aggregator-items: restoring"),
                Optional.empty()));
        HttpResponse<String> restoring = get("/readyz");
        assertThat(restoring.statusCode()).isEqualTo(503);
        assertThat(restoring.body()).contains("the stores of partition 3 cannot be queried yet:"
                + " aggregator-items: restoring");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void onlyGetAndHeadAreAnsweredAndNothingBelowTheHealthPaths() throws Exception {
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/readyz")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/healthz")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(get("/healthz/deep").statusCode()).isEqualTo(404);
    }
}
