package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.results.ResultsClient;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout status} against a running aggregator's results API, and without one. */
@ExtendWith(KafkaExtension.class)
class StatusIT {

    private static final Instant NOW = Instant.now();

    @Test
    void statusAnswersFromTheResultsApiAndFallsBackToTheTopicWhenNoApiAnswers(TestKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "status-" + run + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix)
                .withPartitions(1, 2);
        Topics topics = settings.topics();
        String done = "done-" + run;
        String open = "open-" + run;

        try (Aggregator aggregator = Aggregator.start(AggregatorConfig.of(settings).withHttpPort(0),
                new MetricRegistry());
                TopicRecords records = new TopicRecords(kafka.bootstrapServers())) {
            aggregator.awaitRunning(Duration.ofSeconds(60));
            String url = aggregator.resultsApi().orElseThrow().toString();
            send(records, topics.batches().name(), done, definition(done, 4L, true));
            for (int i = 0; i < 4; i++) {
                send(records, topics.results().name(), done, i % 2 == 1 ? failure(done, i) : success(done, i));
            }
            send(records, topics.batches().name(), open, definition(open, null, false));
            send(records, topics.results().name(), open, success(open, 0));
            ResultsClient api = ResultsClient.of(aggregator.resultsApi().orElseThrow());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    api.batch(done) instanceof ResultsClient.Found<?> found
                            && ((dev.fanout.protocol.ResultsApi.BatchView) found.value()).decided()
                            && api.batch(open) instanceof ResultsClient.Found<?>);

            CommandOutput decided = CommandOutput.run("status", done, "--aggregator-url", url, "--json");
            assertThat(decided.exitCode()).isZero();
            assertThat(decided.out()).startsWith("source: results API at " + url);
            JsonNode decision = Envelopes.mapper().readTree(decided.lastLine());
            assertThat(decision.get("status").asText()).isEqualTo("SUCCEEDED_WITH_FAILURES");
            assertThat(decision.get("total").asLong()).isEqualTo(4);
            assertThat(decision.get("failed").asLong()).isEqualTo(2);

            CommandOutput failed = CommandOutput.run("status", done, "--aggregator-url", url, "--items", "--status",
                    "failed", "--json");
            assertThat(failed.exitCode()).isZero();
            assertThat(failed.out()).contains("2 failed items").contains("  #1      item-1").contains("boom 3");
            JsonNode page = Envelopes.mapper().readTree(failed.lastLine());
            assertThat(page.get("items")).extracting(item -> item.get("index").asLong()).containsExactly(1L, 3L);

            CommandOutput limited = CommandOutput.run("status", done, "--aggregator-url", url, "--items", "--limit",
                    "3");
            assertThat(limited.out()).contains("3 items (more after index 2");

            CommandOutput running = CommandOutput.run("status", open, "--aggregator-url", url, "--json");
            assertThat(running.exitCode()).isEqualTo(StatusCommand.EXIT_UNDECIDED);
            assertThat(running.out()).contains("batch " + open + ": not decided yet: 1 items finished (1 succeeded,"
                    + " 0 failed), strategy wait_all, still streaming items");
            JsonNode progress = Envelopes.mapper().readTree(running.lastLine());
            assertThat(progress.get("status").asText()).isEqualTo("UNDECIDED");
            assertThat(progress.get("finished").asLong()).isEqualTo(1);

            CommandOutput unknown = CommandOutput.run("status", "nope-" + run, "--aggregator-url", url, "--json");
            assertThat(unknown.exitCode()).isEqualTo(StatusCommand.EXIT_UNDECIDED);
            assertThat(unknown.out()).contains("no batch 'nope-" + run + "'");
            assertThat(Envelopes.mapper().readTree(unknown.lastLine()).get("status").asText()).isEqualTo("UNKNOWN");

            CommandOutput fallback = CommandOutput.run("status", done, "--aggregator-url", "http://127.0.0.1:1",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix, "--json");
            assertThat(fallback.exitCode()).isZero();
            assertThat(fallback.out()).startsWith("source: topic " + topics.batchResults().name()
                    + " (no results API answered at http://127.0.0.1:1");
            assertThat(Envelopes.mapper().readTree(fallback.lastLine()).get("failed").asLong()).isEqualTo(2);

            CommandOutput otherDeployment = CommandOutput.run("status", done, "--aggregator-url", url,
                    "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "other-" + prefix);
            assertThat(otherDeployment.exitCode()).isEqualTo(StatusCommand.EXIT_UNDECIDED);
            assertThat(otherDeployment.out()).contains("(the results API at " + url + " serves topic prefix '"
                    + prefix + "', not 'other-" + prefix + "')");

            CommandOutput itemsWithoutApi = CommandOutput.run("status", done, "--items", "--aggregator-url",
                    "http://127.0.0.1:1", "--bootstrap-servers", kafka.bootstrapServers());
            assertThat(itemsWithoutApi.exitCode()).isEqualTo(1);
            assertThat(itemsWithoutApi.err()).contains("--items needs the aggregator's results API, and no results"
                    + " API answered at http://127.0.0.1:1");
        }
    }

    private static void send(TopicRecords records, String topic, String key, byte[] value) {
        records.send(new ProducerRecord<>(topic, key, value));
    }

    private static byte[] definition(String batchId, Long total, boolean sealed) {
        return Envelopes.encode(new BatchDefinition(Envelopes.SCHEMA_VERSION, batchId, "echo", total, sealed,
                BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.CONTINUE), Lane.NORMAL, NOW));
    }

    private static byte[] success(String batchId, int index) {
        return Envelopes.encode(new ItemResult(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index,
                ItemStatus.SUCCEEDED, null, null, Envelopes.mapper().createObjectNode().put("n", index), 1, NOW,
                NOW.plusMillis(5), 5, "w1", false, null));
    }

    private static byte[] failure(String batchId, int index) {
        return Envelopes.encode(new ItemResult(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index,
                ItemStatus.FAILED, FailureReason.HANDLER_ERROR, new ItemError("Boom", "boom " + index), null, 1, NOW,
                NOW.plusMillis(5), 5, "w1", true, null));
    }
}
