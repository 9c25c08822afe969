package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batch revisions on a real broker, under exactly-once: a replayed dead letter's success revises a decided batch once,
 * and a duplicate of that replay result, read by an aggregator that restored its state from the changelogs, does not.
 */
@ExtendWith(KafkaExtension.class)
class AggregatorRevisionIT {

    @Test
    void aReplaySuccessRevisesTheDecidedBatchOnceAndADuplicateAfterARestartDoesNotReviseItAgain(TestKafka kafka) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("it-" + run + ".").withPartitions(1, 2);
        Topics topics = settings.topics();
        String nextStep = "it-" + run + ".next-step";
        String alerts = "it-" + run + ".alerts";
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("it-revision-" + run)
                .withPunctuationInterval(Duration.ofMillis(200)).withHttpPort(0);
        String batchId = "batch-" + run;
        BatchPolicy policy = BatchPolicy.ofDefaults()
                .withChaining(ChainTarget.of(nextStep), ChainTarget.of(alerts));
        ItemResult replay = Fixtures.replayed(Fixtures.success(batchId, 1, 12, Instant.now(),
                JsonNodeFactory.instance.objectNode().put("fixed", true)), 0);
        String batchResults = topics.batchResults().name();

        try (CommittedRecords records = new CommittedRecords(settings)) {
            try (Aggregator aggregator = Aggregator.start(config, new MetricRegistry())) {
                aggregator.awaitRunning(Duration.ofSeconds(60));
                records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, 3, policy,
                        Instant.now())));
                records.send(topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 0)));
                records.send(topics.results(), batchId, Envelopes.encode(Fixtures.success(batchId, 2)));
                records.send(topics.results(), batchId, Envelopes.encode(Fixtures.failure(batchId, 1)));

                BatchResult first = decisions(records.awaitRecords(batchResults, found -> !found.isEmpty())).get(0);
                assertThat(first.revision()).isEqualTo(1);
                assertThat(first.settled()).as("decided with every item counted").isTrue();
                assertThat(first.status()).isEqualTo(BatchStatus.FAILED);
                assertThat(first.failed()).isEqualTo(1);
                assertThat(first.deadLettered()).isEqualTo(1);
                assertThat(records.awaitRecords(alerts, found -> !found.isEmpty())).hasSize(1);

                records.send(topics.results(), batchId, Envelopes.encode(replay));

                List<BatchResult> decided = decisions(records.awaitRecords(batchResults, found -> found.size() >= 2));
                assertThat(decided).extracting(BatchResult::revision).containsExactly(1, 2);
                BatchResult revised = decided.get(1);
                assertThat(revised.batchId()).isEqualTo(batchId);
                assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
                assertThat(revised.total()).isEqualTo(3);
                assertThat(revised.succeeded()).isEqualTo(3);
                assertThat(revised.failed()).isZero();
                assertThat(revised.deadLettered()).isZero();
                assertThat(revised.successRate()).isEqualTo(1.0);
                assertThat(revised.reason()).isEqualTo("revision 2 after dead-letter replays");
                ConsumerRecord<String, byte[]> event = records.awaitRecords(nextStep, found -> !found.isEmpty())
                        .get(0);
                assertThat(FanoutHeaders.text(event.headers(), FanoutHeaders.BATCH_REVISION)).contains("2");
                assertThat(FanoutHeaders.text(event.headers(), FanoutHeaders.CHAIN_TRIGGER)).contains("onSuccess");
            }

            MetricRegistry registry = new MetricRegistry();
            try (Aggregator restarted = Aggregator.start(config, registry)) {
                restarted.awaitRunning(Duration.ofSeconds(60));
                records.send(topics.results(), batchId, Envelopes.encode(replay));
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> registry.counter(AggregatorMetrics.DUPLICATES).getCount() == 1);

                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15))
                        .until(() -> records.readAll(batchResults).size() == 2);
                ResultsClient api = ResultsClient.of(restarted.resultsApi().orElseThrow());
                ItemView item = found(api.item(batchId, "item-1"));
                assertThat(item.status()).isEqualTo(ItemStatus.SUCCEEDED);
                assertThat(item.output().get("fixed").asBoolean()).isTrue();
                BatchView view = found(api.batch(batchId));
                assertThat(view.decision().revision()).isEqualTo(2);
                assertThat(view.succeeded()).isEqualTo(3);
                assertThat(view.failed()).isZero();
                assertThat(registry.counter(AggregatorMetrics.REPLAYS).getCount()).isZero();
                assertThat(records.readAll(nextStep)).hasSize(1);
                assertThat(records.readAll(alerts)).hasSize(1);
            }
        }
    }

    private static List<BatchResult> decisions(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(record -> Envelopes.decode(record.value(), BatchResult.class)).toList();
    }

    @SuppressWarnings("unchecked")
    private static <T> T found(ResultsClient.Answer<T> answer) {
        assertThat(answer).isInstanceOf(Found.class);
        return ((Found<T>) answer).value();
    }
}
