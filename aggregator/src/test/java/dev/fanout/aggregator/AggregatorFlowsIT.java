package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.protocol.TotalTimeoutAction;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The aggregator's flows on a real broker: cancel signals, chained events, total timeouts and the results API. */
@ExtendWith(KafkaExtension.class)
class AggregatorFlowsIT {

    @Test
    void aRaceIsDecidedOnceCancelsTheRestChainsItsEventAndIsAnsweredByTheResultsApi(TestKafka kafka)
            throws IOException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("it-" + run + ".").withPartitions(1, 2);
        Topics topics = settings.topics();
        String chainTopic = "it-" + run + ".next-step";
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("it-flows-" + run)
                .withPunctuationInterval(Duration.ofMillis(200)).withHttpPort(0);
        String race = "race-" + run;
        String slow = "slow-" + run;
        BatchPolicy racePolicy = BatchPolicy.of(Strategy.RACE, 1.0, PartialFailurePolicy.CONTINUE).withChaining(
                new ChainTarget(chainTopic, Map.of("winner", "{{ .output }}", "took", "{{ .execution.duration }}")),
                null);
        BatchPolicy slowPolicy = new BatchPolicy(Strategy.WAIT_ALL, 1.0, PartialFailurePolicy.CONTINUE,
                Duration.ofSeconds(2), TotalTimeoutAction.CANCEL);

        try (Aggregator aggregator = Aggregator.start(config, new MetricRegistry());
                CommittedRecords records = new CommittedRecords(settings)) {
            aggregator.awaitRunning(Duration.ofSeconds(60));
            ResultsClient api = ResultsClient.of(aggregator.resultsApi().orElseThrow());

            records.send(topics.batches(), race, Envelopes.encode(Fixtures.sealed(race, 5, racePolicy, Instant.now())));
            records.send(topics.results(), race, Envelopes.encode(Fixtures.failure(race, 0)));
            records.send(topics.results(), race, Envelopes.encode(Fixtures.success(race, 3, 7, Instant.now(),
                    JsonNodeFactory.instance.objectNode().put("answer", 42))));
            records.send(topics.results(), race, Envelopes.encode(Fixtures.success(race, 4)));
            records.send(topics.batches(), slow, Envelopes.encode(Fixtures.sealed(slow, 3, slowPolicy, Instant.now())));
            records.send(topics.results(), slow, Envelopes.encode(Fixtures.success(slow, 0)));

            List<ConsumerRecord<String, byte[]>> decisions = records.awaitRecords(topics.batchResults().name(),
                    found -> found.size() >= 2);
            assertThat(decisions).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(race, slow);
            BatchResult raceDecision = decision(decisions, race);
            assertThat(raceDecision.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(raceDecision.output().get("answer").asInt()).isEqualTo(42);
            BatchResult slowDecision = decision(decisions, slow);
            assertThat(slowDecision.status()).as("decided by the wall clock, with no further input")
                    .isEqualTo(BatchStatus.CANCELLED);
            assertThat(slowDecision.succeeded()).isEqualTo(1);

            List<ConsumerRecord<String, byte[]>> signals = records.awaitRecords(topics.control().name(),
                    found -> found.size() >= 2);
            assertThat(signals).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(race, slow);
            assertThat(signals).allSatisfy(signal -> assertThat(Envelopes.decode(signal.value(), ControlSignal.class)
                    .action()).isEqualTo(ControlSignal.Action.CANCEL));

            ConsumerRecord<String, byte[]> event = records.awaitRecords(chainTopic, found -> !found.isEmpty()).get(0);
            assertThat(event.key()).isEqualTo(race);
            assertThat(FanoutHeaders.text(event.headers(), FanoutHeaders.CHAIN_TRIGGER)).contains("onSuccess");
            JsonNode rendered = Envelopes.mapper().readTree(event.value());
            assertThat(rendered.get("winner").get("answer").asInt()).isEqualTo(42);
            assertThat(Duration.parse(rendered.get("took").asText())).isGreaterThanOrEqualTo(Duration.ZERO);

            BatchView view = found(api.batch(race));
            assertThat(view.decision().status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(view.finished()).isEqualTo(3);
            ItemPage failed = found(api.items(race, ItemFilter.FAILED, null, 10));
            assertThat(failed.items()).extracting(ItemView::index).containsExactly(0L);
            assertThat(found(api.item(race, "item-3")).output().get("answer").asInt()).isEqualTo(42);
            assertThat(found(api.batches(null, 10)).batches()).extracting(BatchView::batchId)
                    .containsExactlyInAnyOrder(race, slow);

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
                    .until(() -> records.readAll(topics.batchResults().name()).size() == 2);
        }
    }

    private static BatchResult decision(List<ConsumerRecord<String, byte[]>> decisions, String batchId) {
        return decisions.stream().filter(record -> record.key().equals(batchId))
                .map(record -> Envelopes.decode(record.value(), BatchResult.class)).findFirst().orElseThrow();
    }

    private static <T> T found(ResultsClient.Answer<T> answer) {
        assertThat(answer).isInstanceOf(Found.class);
        return ((Found<T>) answer).value();
    }
}
