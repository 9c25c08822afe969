package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.aggregator.dashboard.DashboardActions;
import dev.fanout.aggregator.dashboard.DashboardActions.Action;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.aggregator.internal.JobReader;
import dev.fanout.aggregator.internal.ResultsServer;
import dev.fanout.aggregator.internal.StoreLocator;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.Timeline;
import dev.fanout.protocol.Strategy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's page, its timeline data and its guarded actions, over HTTP on a {@code TopologyTestDriver}. */
class DashboardTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TOKEN = "0123456789abcdef-token";

    @TempDir
    Path stateDir;

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<String> performed = new CopyOnWriteArrayList<>();
    private TopologyHarness harness;
    private ResultsServer server;

    @BeforeEach
    void start() {
        harness = new TopologyHarness(stateDir, CREATED.plusSeconds(60));
        harness.define(Fixtures.sealed("b", 7, BatchPolicy.of(Strategy.BEST_EFFORT, 0.5, PartialFailurePolicy.CONTINUE),
                CREATED));
        for (int i = 0; i < 7; i++) {
            Instant started = CREATED.plusMillis(100 * i);
            harness.report(i == 3
                    ? Fixtures.unsuccessful("b", i, ItemStatus.FAILED, FailureReason.RETRIES_EXHAUSTED,
                            new ItemError("java.io.IOException", "down", "at x.Y.z(Y.java:1)"), 40, started, true)
                    : Fixtures.success("b", i, 10 * (i + 1), started, null).withJob("t.jobs.normal/0/" + i,
                            CREATED.plusMillis(i)));
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        harness.close();
        client.close();
    }

    private void serve(DashboardSettings settings) {
        server = ResultsServer.bind("127.0.0.1", 0, false);
        StoreLocator locator = new StoreLocator() {
            @Override
            public Location locate(String batchId) {
                return new Local(harness.queries());
            }

            @Override
            public List<Location> everywhere() {
                return List.of(new Local(harness.queries()));
            }
        };
        server.start(locator, "t.", FakeProbe.ready(0), ServiceMetrics.of(new MetricRegistry()),
                new JobReader(Map.of(), "t."), settings, () -> Optional.of("{\"workers\":[]}"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private DashboardActions recording() {
        return (action, batchId) -> {
            performed.add(action + " " + batchId);
            if (batchId.equals("nope")) {
                throw new IllegalArgumentException("no batch 'nope'");
            }
            return action.name().toLowerCase() + " sent";
        };
    }

    @Test
    void thePageAndItsFilesAreServedFromTheJarAndTheApiStaysWhereItWas() throws Exception {
        serve(DashboardSettings.readOnly());

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Fanout</title>", "/ui/app.js", "/ui/timeline.js");
        assertThat(get("/ui/app.js").body()).contains("EventSource('/ui/events'");
        assertThat(get("/ui/app.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/ui/secret.properties").statusCode()).isEqualTo(404);
        assertThat(get("/ui/..%2F..%2Fpom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/ui/..%2F..%2Fdashboard%2FDashboard.class").statusCode()).isEqualTo(404);
        assertThat(get("/batches/b").statusCode()).isEqualTo(200);
        assertThat(get("/nothing-here").body()).contains("the endpoints are");
    }

    @Test
    void theTimelineHasOneBarPerItemInMillisecondsFromTheBatchsCreationAndASummaryOfAllItems() throws Exception {
        serve(DashboardSettings.readOnly());

        HttpResponse<String> response = get("/batches/b/timeline");

        assertThat(response.statusCode()).isEqualTo(200);
        Timeline timeline = Envelopes.mapper().readValue(response.body(), Timeline.class);
        assertThat(timeline.origin()).isEqualTo(CREATED);
        assertThat(timeline.items()).isEqualTo(7);
        assertThat(timeline.stride()).isEqualTo(1);
        assertThat(timeline.workers()).containsExactly("worker-1");
        assertThat(timeline.bars()).hasSize(7);
        // item 2: queued at +2 ms, ran from +200 ms for 30 ms on worker 0, succeeded, one attempt
        assertThat(timeline.bars().get(2)).containsExactly(2, 2, 200, 230, 0, ItemStatus.SUCCEEDED.ordinal(), 1);
        // item 3 has no job coordinates: its queued time is unknown
        assertThat(timeline.bars().get(3)).containsExactly(3, -1, 300, 340, 0, ItemStatus.FAILED.ordinal(), 1);
        assertThat(timeline.summary().deadLetters()).isEqualTo(Map.of(FailureReason.RETRIES_EXHAUSTED, 1L));
        assertThat(timeline.summary().errors()).singleElement()
                .satisfies(error -> assertThat(error.type()).isEqualTo("java.io.IOException"));
        assertThat(timeline.summary().latencyMaxMs()).isEqualTo(70);
        // 10+20+30+40+50+60+70 = 280 ms of item time between +0 and +670 ms
        assertThat(timeline.summary().sumItemMs()).isEqualTo(280);
        assertThat(timeline.summary().wallMs()).isEqualTo(670);
        assertThat(timeline.summary().speedup()).isEqualTo(0.42);
    }

    @Test
    void aTimelineOfMoreItemsThanItsMaximumDrawsEveryNthItemButSummarisesThemAll() throws Exception {
        serve(DashboardSettings.readOnly());

        Timeline timeline = Envelopes.mapper().readValue(get("/batches/b/timeline?max=3").body(), Timeline.class);

        assertThat(timeline.stride()).isEqualTo(3);
        assertThat(timeline.bars()).extracting(bar -> bar[0]).containsExactly(0L, 3L, 6L);
        assertThat(timeline.items()).isEqualTo(7);
        assertThat(timeline.summary().sumItemMs()).isEqualTo(280);
        assertThat(get("/batches/b/timeline?max=0").body()).contains("max must be a whole number from 1 to 100000");
    }

    @Test
    void aTimelineFetchedAgainWithItsCursorCarriesOnlyTheItemsCountedSinceWithoutScanningAgain() throws Exception {
        serve(DashboardSettings.readOnly());
        harness.define(Fixtures.sealed("running", 4, BatchPolicy.of(Strategy.BEST_EFFORT, 0.5,
                PartialFailurePolicy.CONTINUE), CREATED));
        harness.report(Fixtures.success("running", 0), Fixtures.success("running", 1));
        Timeline first = Envelopes.mapper().readValue(get("/batches/running/timeline").body(), Timeline.class);
        harness.report(Fixtures.success("running", 2), Fixtures.success("running", 3));

        Timeline next = Envelopes.mapper().readValue(get("/batches/running/timeline?since=" + first.cursor()).body(),
                Timeline.class);

        assertThat(first.items()).isEqualTo(2);
        assertThat(next.incremental()).isTrue();
        assertThat(next.bars()).extracting(bar -> bar[0]).containsExactly(2L, 3L);
        assertThat(next.items()).isEqualTo(4);
        assertThat(harness.timelines.size()).as("kept up to date by the processor").isEqualTo(1);
        assertThat(get("/batches/running/timeline?since=x%22").body()).contains("since must be the cursor");
    }

    @Test
    void anItemShowsItsStackAndJobCoordinatesAndSaysWhyItHasNoPayloadWhenItCannotBeRead() throws Exception {
        serve(DashboardSettings.readOnly());

        JsonNode failed = Envelopes.mapper().readTree(get("/batches/b/items/3").body());
        assertThat(failed.at("/error/stack").asText()).isEqualTo("at x.Y.z(Y.java:1)");
        assertThat(get("/batches/b/items/3/job").body()).contains("has no job coordinates");
        JsonNode succeeded = Envelopes.mapper().readTree(get("/batches/b/items/2").body());
        assertThat(succeeded.get("job").asText()).isEqualTo("t.jobs.normal/0/2");
        assertThat(succeeded.get("queuedAt").asText()).isEqualTo("2026-01-01T00:00:00.002Z");
    }

    @Test
    void withoutActionsTheDashboardSaysSoAndRefusesThemEvenWithAToken() throws Exception {
        serve(DashboardSettings.readOnly());

        assertThat(get("/ui/api/config").body()).isEqualTo("{\"actions\":false}");
        HttpResponse<String> refused = post("/ui/api/actions/b/pause", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.body()).contains("--ui-actions");
        assertThat(performed).isEmpty();
    }

    @Test
    void withActionsOnlyARequestCarryingTheTokenActs() throws Exception {
        serve(new DashboardSettings(recording(), TOKEN));

        assertThat(get("/ui/api/config").body()).isEqualTo("{\"actions\":true}");
        assertThat(post("/ui/api/actions/b/pause", null).statusCode()).isEqualTo(401);
        assertThat(post("/ui/api/actions/b/pause", TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(performed).isEmpty();

        HttpResponse<String> paused = post("/ui/api/actions/b/pause", TOKEN);
        assertThat(paused.statusCode()).isEqualTo(200);
        assertThat(paused.body()).contains("\"result\":\"pause sent\"");
        assertThat(post("/ui/api/actions/b/explode", TOKEN).body()).contains("unknown action 'explode'");
        assertThat(post("/ui/api/actions/nope/cancel", TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/ui/api/actions/b/pause").statusCode()).isEqualTo(405);
        assertThat(performed).containsExactly(Action.PAUSE + " b", Action.CANCEL + " nope");
    }

    @Test
    void actionsNeedALongEnoughTokenAndATokenNeedsActions() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DashboardSettings(recording(), "short"))
                .hasMessageContaining("at least 16 characters");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DashboardSettings(null, TOKEN))
                .hasMessageContaining("--ui-actions");
        assertThat(new DashboardSettings(recording(), TOKEN).toString()).doesNotContain(TOKEN).contains("[hidden]");
    }
}
