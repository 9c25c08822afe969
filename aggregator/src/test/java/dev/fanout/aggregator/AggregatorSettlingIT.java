package dev.fanout.aggregator;

import dev.fanout.results.ResultsClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Settling and coalesced revisions on a real broker, under exactly-once: a {@code fail_fast} batch of 2,000 decided at
 * its only failure ends with one more, settled, revision whose counts add up to 2,000; 50 replayed dead letters read
 * in one burst make one revision (two at most, if a punctuation falls inside the burst), not 50.
 */
@ExtendWith(KafkaExtension.class)
class AggregatorSettlingIT {

    private static final int TOTAL = 2000;

    @Test
    void aFailFastBatchOf2000EndsWithASettledRevisionWhoseCountsAddUpAndChainingFiredOnce(TestKafka kafka) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("it-" + run + ".").withPartitions(1, 2);
        Topics topics = settings.topics();
        String alerts = "it-" + run + ".alerts";
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("it-settling-" + run)
                .withHttpPort(0);
        String batchId = "ff-" + run;
        MetricRegistry registry = new MetricRegistry();

        try (CommittedRecords records = new CommittedRecords(settings);
                Aggregator aggregator = Aggregator.start(config, registry)) {
            aggregator.awaitRunning(Duration.ofSeconds(60));
            records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, TOTAL,
                    BatchPolicy.of(Strategy.FAIL_FAST, 1.0, PartialFailurePolicy.CONTINUE)
                            .withChaining(null, ChainTarget.of(alerts)), Instant.now())));
            List<byte[]> before = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                before.add(Envelopes.encode(Fixtures.success(batchId, i)));
            }
            before.add(Envelopes.encode(Fixtures.failure(batchId, 10)));
            records.sendAll(topics.results(), batchId, before);

            BatchResult first = decisions(records.awaitRecords(topics.batchResults().name(),
                    found -> !found.isEmpty())).get(0);
            assertThat(first.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(first.settled()).isFalse();
            assertThat(first.finished()).isEqualTo(11);

            List<byte[]> rest = new ArrayList<>();
            for (int i = 11; i < TOTAL; i++) {
                rest.add(Envelopes.encode(i < 20 ? Fixtures.success(batchId, i)
                        : Fixtures.unsuccessful(batchId, i, ItemStatus.CANCELLED, FailureReason.CANCELLED,
                                new ItemError("Cancelled", "batch decided FAILED"), 0, Instant.now(), false)));
            }
            records.sendAll(topics.results(), batchId, rest);

            List<BatchResult> decided = decisions(records.awaitRecords(topics.batchResults().name(),
                    found -> decisions(found).stream().anyMatch(BatchResult::settled)));
            BatchResult settled = decided.get(decided.size() - 1);
            assertThat(decided).extracting(BatchResult::revision).as("no revision per late result")
                    .containsExactly(1, 2);
            assertThat(settled.settled()).isTrue();
            assertThat(settled.status()).isEqualTo(BatchStatus.FAILED);
            assertThat(settled.total()).isEqualTo(TOTAL);
            assertThat(settled.succeeded()).isEqualTo(19);
            assertThat(settled.cancelled()).isEqualTo(1980);
            assertThat(settled.failed() - settled.cancelled() - settled.timedOut()).isEqualTo(1);
            assertThat(settled.succeeded() + settled.failed()).isEqualTo(TOTAL);
            BatchView view = found(ResultsClient.of(aggregator.resultsApi().orElseThrow()).batch(batchId));
            assertThat(view.decision()).isEqualTo(settled);
            assertThat(view.cancelled()).isEqualTo(1980);
            assertThat(records.readAll(alerts)).as("onError fired by the first decision only").hasSize(1);
            assertThat(records.readAll(topics.control().name())).as("one cancel signal").hasSize(1);
            assertThat(registry.counter(AggregatorMetrics.BATCHES_SETTLED).getCount()).isEqualTo(1);
        }
    }

    @Test
    void fiftyReplayedDeadLettersReadInOneBurstMakeOneRevisionWithExactCounts(TestKafka kafka) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("it-" + run + ".").withPartitions(1, 2);
        Topics topics = settings.topics();
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("it-coalesce-" + run)
                .withHttpPort(AggregatorConfig.HTTP_DISABLED).withCommitInterval(Duration.ofSeconds(2));
        String batchId = "replays-" + run;
        MetricRegistry registry = new MetricRegistry();

        try (CommittedRecords records = new CommittedRecords(settings);
                Aggregator aggregator = Aggregator.start(config, registry)) {
            aggregator.awaitRunning(Duration.ofSeconds(60));
            records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, 100,
                    BatchPolicy.of(Strategy.BEST_EFFORT, 0.0, PartialFailurePolicy.CONTINUE), Instant.now())));
            List<byte[]> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(Envelopes.encode(i < 50 ? Fixtures.success(batchId, i) : Fixtures.failure(batchId, i)));
            }
            records.sendAll(topics.results(), batchId, results);
            BatchResult first = decisions(records.awaitRecords(topics.batchResults().name(),
                    found -> !found.isEmpty())).get(0);
            assertThat(first.failed()).isEqualTo(50);
            assertThat(first.settled()).isTrue();

            List<byte[]> replays = new ArrayList<>();
            for (int i = 50; i < 100; i++) {
                replays.add(Envelopes.encode(Fixtures.replayed(Fixtures.success(batchId, i), i)));
            }
            records.sendAll(topics.results(), batchId, replays);

            List<BatchResult> decided = decisions(records.awaitRecords(topics.batchResults().name(),
                    found -> decisions(found).stream().anyMatch(d -> d.succeeded() == 100)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> registry.counter(AggregatorMetrics.REPLAYS).getCount() == 50);
            assertThat(decided.size() - 1).as("revisions after 50 replays").isBetween(1, 2);
            BatchResult last = decided.get(decided.size() - 1);
            assertThat(last.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(last.failed()).isZero();
            assertThat(last.deadLettered()).isZero();
            assertThat(last.revision()).isEqualTo(decided.size());
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
