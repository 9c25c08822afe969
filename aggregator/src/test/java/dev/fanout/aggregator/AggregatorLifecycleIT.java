package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator as operators run it, on a real broker: readiness follows the assignment, a real fault that kills
 * the stream threads (its results topic deleted under it) stops it with a failure and turns it down, and a restart
 * with its persistent state directory restores nothing from the changelogs.
 */
@ExtendWith(KafkaExtension.class)
class AggregatorLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();

    private static KafkaSettings settings(TestKafka kafka, String run) {
        return KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix("life-" + run + ".").withPartitions(1, 1);
    }

    private HttpResponse<String> get(Aggregator aggregator, String path) {
        URI uri = aggregator.resultsApi().orElseThrow().resolve(path);
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInstanceIsReadyOnlyWhileItOwnsPartitionsAndTheOtherTakesOverWhenTheOwnerStops(TestKafka kafka) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        AggregatorConfig config = AggregatorConfig.of(settings(kafka, run)).withApplicationId("life-ready-" + run)
                .withHttpPort(0);

        try (Aggregator first = Aggregator.start(config, new MetricRegistry());
                Aggregator second = Aggregator.start(config, new MetricRegistry())) {
            first.awaitRunning(WAIT);
            second.awaitRunning(WAIT);
            // one partition: Kafka Streams gives it to one of them (either), the other stays RUNNING without tasks
            await().atMost(WAIT).until(() -> {
                String a = get(first, "/readyz").body();
                String b = get(second, "/readyz").body();
                return a.contains("\"READY\"") != b.contains("\"READY\"")
                        && (a + b).contains("no partitions are assigned to this instance");
            });
            Aggregator owner = get(first, "/readyz").statusCode() == 200 ? first : second;
            Aggregator idle = owner == first ? second : first;
            assertThat(owner.assignedPartitions()).containsExactly(0);
            assertThat(idle.assignedPartitions()).isEmpty();
            assertThat(get(owner, "/readyz").body()).isEqualTo("{\"status\":\"READY\"}");
            HttpResponse<String> notReady = get(idle, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).startsWith("{\"status\":\"NOT_READY\",\"reason\":\"no partitions are"
                    + " assigned to this instance");
            assertThat(get(idle, "/healthz").body()).isEqualTo("{\"status\":\"UP\"}");

            owner.close();

            await().atMost(WAIT).until(() -> get(idle, "/readyz").statusCode() == 200);
            assertThat(idle.assignedPartitions()).containsExactly(0);
        }
    }

    @Test
    void deletingTheResultsTopicUnderARunningAggregatorKillsItsStreamThreadsAndStopsItWithAFailure(TestKafka kafka)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = settings(kafka, run);
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("life-fault-" + run)
                .withHttpPort(0);

        try (Aggregator aggregator = Aggregator.start(config, new MetricRegistry());
                Admin admin = Admin.create(settings.clientProperties())) {
            aggregator.awaitRunning(WAIT);
            assertThat(aggregator.isRunning()).isTrue();

            admin.deleteTopics(List.of(settings.topics().results().name())).all().get();

            aggregator.awaitStopped(Duration.ofMinutes(3));
            assertThat(aggregator.isRunning()).isFalse();
            assertThat(aggregator.state()).isEqualTo(KafkaStreams.State.ERROR);
            assertThat(aggregator.failure()).hasValueSatisfying(failure -> assertThat(failure.getMessage())
                    .startsWith("the aggregator stopped (Kafka Streams state ")
                    .contains("a stream thread died of " + MissingSourceTopicException.class.getName()));
            HttpResponse<String> alive = get(aggregator, "/healthz");
            assertThat(alive.statusCode()).isEqualTo(503);
            assertThat(alive.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"Kafka Streams is ERROR: a stream"
                    + " thread died; the aggregator's log says why\"}");
            assertThat(get(aggregator, "/readyz").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void aRestartWithThePersistentStateDirectoryRestoresNothingWhileAFreshDirectoryRestoresTheStores(
            TestKafka kafka, @TempDir Path kept, @TempDir Path fresh) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = settings(kafka, run);
        Topics topics = settings.topics();
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("life-state-" + run)
                .withHttpPort(0).withStateDir(kept);
        String batchId = "kept-" + run;

        MetricRegistry firstRun = new MetricRegistry();
        try (CommittedRecords records = new CommittedRecords(settings)) {
            try (Aggregator aggregator = Aggregator.start(config, firstRun)) {
                aggregator.awaitRunning(WAIT);
                records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, 3,
                        BatchPolicy.ofDefaults(), Instant.now())));
                for (int i = 0; i < 3; i++) {
                    records.send(topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, i)));
                }
                ResultsClient api = ResultsClient.of(aggregator.resultsApi().orElseThrow());
                await().atMost(WAIT).until(() -> api.batch(batchId) instanceof Found<BatchView> found
                        && found.value().decided());
            }
            assertThat(kept.resolve(config.applicationId())).isDirectory();

            MetricRegistry restarted = new MetricRegistry();
            try (Aggregator aggregator = Aggregator.start(config, restarted)) {
                aggregator.awaitRunning(WAIT);
                BatchView view = batch(aggregator, batchId);
                assertThat(view.status()).isEqualTo(BatchStatus.SUCCEEDED);
                assertThat(aggregator.restoredRecords()).as("stores up to date in the state directory").isZero();
                assertThat(restarted.counter(AggregatorMetrics.RESTORED_RECORDS).getCount()).isZero();
            }

            MetricRegistry elsewhere = new MetricRegistry();
            try (Aggregator aggregator = Aggregator.start(config.withStateDir(fresh), elsewhere)) {
                aggregator.awaitRunning(WAIT);
                assertThat(batch(aggregator, batchId).status()).isEqualTo(BatchStatus.SUCCEEDED);
                assertThat(aggregator.restoredRecords()).as("an empty directory restores from the changelogs")
                        .isPositive();
                assertThat(elsewhere.counter(AggregatorMetrics.RESTORED_RECORDS).getCount())
                        .isEqualTo(aggregator.restoredRecords());
            }
        }
    }

    private static BatchView batch(Aggregator aggregator, String batchId) {
        ResultsClient api = ResultsClient.of(aggregator.resultsApi().orElseThrow());
        await().atMost(WAIT).until(() -> api.batch(batchId) instanceof Found<BatchView>);
        return ((Found<BatchView>) api.batch(batchId)).value();
    }
}
