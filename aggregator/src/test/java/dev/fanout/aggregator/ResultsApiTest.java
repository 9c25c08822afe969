package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import dev.fanout.ops.ServiceMetrics;
import com.codahale.metrics.MetricRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.results.ResultsClient.Answer;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.results.ResultsClient.Refused;
import dev.fanout.aggregator.dashboard.DashboardSettings;
import dev.fanout.aggregator.internal.JobReader;
import dev.fanout.aggregator.internal.ResultsServer;
import dev.fanout.aggregator.internal.StoreLocator;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.BatchPage;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.ResultsApi.Problem;
import dev.fanout.protocol.Strategy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results API over HTTP, on the stores of a {@code TopologyTestDriver}. */
class ResultsApiTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyHarness harness;
    private ResultsServer server;
    private ResultsClient api;

    @BeforeEach
    void start() {
        harness = new TopologyHarness(stateDir, NOW);
        server = serve(locator -> new StoreLocator.Local(harness.queries()));
        api = ResultsClient.of(URI.create("http://127.0.0.1:" + server.port()));
        harness.define(Fixtures.sealed("b-race", 4, BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE),
                NOW.minusSeconds(5)));
        harness.report(Fixtures.failure("b-race", 0), Fixtures.success("b-race", 2, 5, NOW.minusSeconds(1),
                JsonNodeFactory.instance.objectNode().put("answer", 42)));
        harness.define(Fixtures.sealed("b-wait", 10, BatchPolicy.of(Strategy.BEST_EFFORT, 0.5,
                PartialFailurePolicy.CONTINUE), NOW.minusSeconds(5)));
        for (int i = 0; i < 7; i++) {
            harness.report(i % 3 == 0 ? Fixtures.failure("b-wait", i) : Fixtures.success("b-wait", i));
        }
        harness.report(Fixtures.success("a-only-results", 0));
    }

    @AfterEach
    void stop() {
        server.close();
        harness.close();
    }

    private static ResultsServer serve(Function<String, StoreLocator.Location> where) {
        ResultsServer server = ResultsServer.bind("127.0.0.1", 0, false);
        server.start(new StoreLocator() {
            @Override
            public Location locate(String batchId) {
                return where.apply(batchId);
            }

            @Override
            public List<Location> everywhere() {
                return List.of(where.apply(null));
            }
        }, "t.", FakeProbe.ready(0), ServiceMetrics.of(new MetricRegistry()),
                new JobReader(Map.of(), "t."), DashboardSettings.readOnly(), Optional::empty);
        return server;
    }

    private static <T> T found(Answer<T> answer) {
        assertThat(answer).isInstanceOf(Found.class);
        return ((Found<T>) answer).value();
    }

    private static Problem refused(Answer<?> answer) {
        assertThat(answer).isInstanceOf(Refused.class);
        return ((Refused<?>) answer).problem();
    }

    @Test
    void aDecidedBatchIsShownWithItsDecisionAsPublishedIncludingTheRaceWinnersOutput() {
        BatchView view = found(api.batch("b-race"));

        assertThat(view.decided()).isTrue();
        assertThat(view.status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(view.strategy()).isEqualTo(Strategy.RACE);
        assertThat(view.total()).isEqualTo(4);
        assertThat(view.finished()).isEqualTo(2);
        assertThat(view.decision().reason()).isEqualTo("race: item 2 succeeded first");
        assertThat(view.decision().output().get("answer").asInt()).isEqualTo(42);
        assertThat(view.decision().revision()).isEqualTo(1);
    }

    @Test
    void anUndecidedBatchIsShownWithItsCountsSoFar() {
        BatchView view = found(api.batch("b-wait"));

        assertThat(view.decided()).isFalse();
        assertThat(view.status()).isNull();
        assertThat(view.decision()).isNull();
        assertThat(view.finished()).isEqualTo(7);
        assertThat(view.succeeded()).isEqualTo(4);
        assertThat(view.failed()).isEqualTo(3);
        assertThat(view.sealed()).isTrue();
    }

    @Test
    void batchesAreListedByIdInPages() {
        BatchPage first = found(api.batches(null, 2));
        assertThat(first.batches()).extracting(BatchView::batchId).containsExactly("a-only-results", "b-race");
        assertThat(first.batches()).allSatisfy(view -> assertThat(view.decision()).isNull());
        assertThat(first.next()).isEqualTo("b-race");

        BatchPage second = found(api.batches(first.next(), 2));
        assertThat(second.batches()).extracting(BatchView::batchId).containsExactly("b-wait");
        assertThat(second.next()).isNull();
    }

    @Test
    void failedItemsArePagedInIndexOrderUntilNoNextIsGiven() {
        ItemPage first = found(api.items("b-wait", ItemFilter.FAILED, null, 2));
        assertThat(first.items()).extracting(ItemView::index).containsExactly(0L, 3L);
        assertThat(first.items().get(0).error().message()).isEqualTo("boom 0");
        assertThat(first.next()).isEqualTo(3L);

        ItemPage second = found(api.items("b-wait", ItemFilter.FAILED, first.next(), 2));
        assertThat(second.items()).extracting(ItemView::index).containsExactly(6L);
        assertThat(second.next()).isNull();

        assertThat(found(api.allItems("b-wait", null, 1000))).extracting(ItemView::index)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void anItemIsFoundByItsIdOrByItsIndex() {
        ItemView byId = found(api.item("b-race", "item-2"));
        ItemView byIndex = found(api.item("b-race", "2"));

        assertThat(byId).isEqualTo(byIndex);
        assertThat(byId.itemId()).isEqualTo("item-2");
        assertThat(byId.output().get("answer").asInt()).isEqualTo(42);
        assertThat(byId.attempts()).isEqualTo(1);
        assertThat(byId.workerId()).isEqualTo("worker-1");
    }

    @Test
    void unknownBatchesItemsAndEndpointsAnswer404WithWhatToDo() {
        assertThat(refused(api.batch("nope"))).isEqualTo(new Problem(404,
                "no batch 'nope': the aggregator has read no definition and no result for it"));
        assertThat(refused(api.item("b-race", "item-3")).error()).isEqualTo("batch 'b-race' has no item 'item-3'"
                + " (looked up by item id, and by index for a number); list them with GET /batches/b-race/items");
        assertThat(refused(api.items("nope", null, null, 5)).status()).isEqualTo(404);
        assertThat(get("/jobs").body()).contains("no such endpoint: /jobs; the endpoints are GET /batches");
    }

    @Test
    void badParametersAnswer400NamingTheParameterAndTheRule() {
        assertThat(get("/batches/b-wait/items?limit=0")).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("limit must be a whole number from 1 to 1000, was '0'");
            assertThat(response.headers().firstValue(ResultsApi.VERSION_HEADER)).contains(ResultsApi.VERSION);
        });
        assertThat(get("/batches/b-wait/items?status=broken").body())
                .contains("status must be one of succeeded, failed, timed_out, cancelled, was 'broken'");
        assertThat(get("/batches/b-wait/items?after=-1").body()).contains("after must be an item index");
        assertThat(get("/batches/b-wait?verbose=1").body())
                .contains("unknown parameter 'verbose'; this endpoint takes none");
        assertThat(get("/batches?sort=id").body()).contains("unknown parameter 'sort'; known here: limit, after");
    }

    @Test
    void aRequestForABatchAnotherInstanceOwnsIsForwardedThereOnce() {
        try (ResultsServer front = serve(batchId -> new StoreLocator.Remote(api.base()))) {
            ResultsClient viaFront = ResultsClient.of(URI.create("http://127.0.0.1:" + front.port()));

            assertThat(found(viaFront.batch("b-race")).status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(found(viaFront.item("b-race", "item-2")).index()).isEqualTo(2);
            assertThat(refused(viaFront.batch("nope")).status()).isEqualTo(404);
            assertThat(found(viaFront.batches(null, 10)).batches()).hasSize(3);
        }
        try (ResultsServer loop = serve(batchId -> new StoreLocator.Remote(URI.create("http://127.0.0.1:1")))) {
            Problem problem = refused(ResultsClient.of(URI.create("http://127.0.0.1:" + loop.port())).batch("x"));
            assertThat(problem.status()).isEqualTo(502);
            assertThat(problem.error()).startsWith("the aggregator instance at http://127.0.0.1:1 that holds batch"
                    + " 'x' did not answer");
        }
    }

    @Test
    void anUnavailableStoreAnswers503WithRetry() {
        try (ResultsServer moving = serve(batchId -> new StoreLocator.Unavailable("the aggregator is rebalancing"))) {
            Problem problem = refused(ResultsClient.of(URI.create("http://127.0.0.1:" + moving.port())).batch("b"));

            assertThat(problem).isEqualTo(new Problem(503, "the aggregator is rebalancing; retry"));
        }
    }

    @Test
    void aClientThatFindsNoResultsApiSaysSo() {
        ResultsClient nowhere = ResultsClient.of(URI.create("http://127.0.0.1:1"));

        assertThatThrownBy(() -> nowhere.batch("b")).isInstanceOf(ResultsClient.UnreachableException.class)
                .hasMessage("no results API answered at http://127.0.0.1:1 (connection refused: nothing listens there)");
    }

    @Test
    void aClientForOneDeploymentDoesNotTakeTheApiOfAnotherForItsOwn() {
        ResultsClient sameDeployment = ResultsClient.of(api.base(), ResultsClient.DEFAULT_TIMEOUT, "t.");
        ResultsClient otherDeployment = ResultsClient.of(api.base(), ResultsClient.DEFAULT_TIMEOUT, "fanout.");

        assertThat(found(sameDeployment.batch("b-race")).decided()).isTrue();
        assertThatThrownBy(() -> otherDeployment.batch("b-race"))
                .isInstanceOf(ResultsClient.UnreachableException.class)
                .hasMessage("the results API at " + api.base() + " serves topic prefix 't.', not 'fanout.'");
    }

    private HttpResponse<String> get(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.base().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
