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
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two aggregator instances share the batches (one application id, a standby replica each); one is stopped in the
 * middle of the batches while results keep arriving, and the other takes its batches over: at once when the stopped
 * one leaves the group, after its session timeout when it does not (as after a crash).
 */
@ExtendWith(KafkaExtension.class)
class AggregatorFailoverIT {

    private static final int BATCHES = 8;
    private static final int ITEMS = 20;
    private static final int PARTITIONS = 4;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anInstanceStoppedMidBatchIsTakenOverWithoutASecondOrWrongDecision(boolean leavesTheGroup, TestKafka kafka)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // An instance that does not leave the group is noticed when its session times out: the broker's minimum.
        KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "it-" + run + ".", 1, PARTITIONS,
                (short) 1, Map.of("consumer.session.timeout.ms", "6000"));
        Topics topics = settings.topics();
        AggregatorConfig config = AggregatorConfig.of(settings).withApplicationId("it-failover-" + run)
                .withPunctuationInterval(Duration.ofMillis(200)).withStandbyReplicas(1).withHttpPort(0);
        List<String> batchIds = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batchIds.add("batch-" + run + "-" + b);
        }

        try (CommittedRecords records = new CommittedRecords(settings);
                Aggregator first = Aggregator.start(config, new MetricRegistry());
                Aggregator second = Aggregator.start(config, new MetricRegistry())) {
            first.awaitRunning(Duration.ofSeconds(60));
            second.awaitRunning(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Set<Integer> a = first.assignedPartitions();
                Set<Integer> b = second.assignedPartitions();
                return !a.isEmpty() && !b.isEmpty() && a.size() + b.size() == PARTITIONS;
            });
            Set<Integer> ownedByFirst = first.assignedPartitions();

            for (String batchId : batchIds) {
                records.send(topics.batches(), batchId, Envelopes.encode(Fixtures.sealed(batchId, ITEMS,
                        BatchPolicy.of(Strategy.BEST_EFFORT, 0.5, PartialFailurePolicy.CONTINUE), Instant.now())));
                for (int i = 0; i < ITEMS / 2; i++) {
                    records.send(topics.results(), batchId, Envelopes.encode(result(batchId, i)));
                }
            }
            ResultsClient viaSecond = ResultsClient.of(second.resultsApi().orElseThrow());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    batchIds.stream().allMatch(id -> viaSecond.batch(id) instanceof Found<BatchView> found
                            && found.value().finished() == ITEMS / 2));
            assertThat(ownedByFirst).as("the closed instance owned batches mid-batch").isNotEmpty();

            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
                for (String batchId : batchIds) {
                    for (int i = ITEMS / 2 - 3; i < ITEMS; i++) {
                        records.send(topics.results(), batchId, Envelopes.encode(result(batchId, i)));
                    }
                }
            });
            if (leavesTheGroup) {
                first.close();
            } else {
                first.closeWithoutLeavingTheGroup();
            }
            rest.get();

            List<ConsumerRecord<String, byte[]>> decisions = records.awaitRecords(topics.batchResults().name(),
                    found -> found.size() >= BATCHES);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                    .until(() -> records.readAll(topics.batchResults().name()).size() == BATCHES);

            Map<String, List<BatchResult>> byBatch = decisions.stream().map(record ->
                    Envelopes.decode(record.value(), BatchResult.class))
                    .collect(Collectors.groupingBy(BatchResult::batchId));
            assertThat(byBatch.keySet()).containsExactlyInAnyOrderElementsOf(batchIds);
            assertThat(byBatch.values()).allSatisfy(decided -> assertThat(decided).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
                assertThat(d.revision()).isEqualTo(1);
                assertThat(d.total()).isEqualTo(ITEMS);
                assertThat(d.succeeded()).isEqualTo(ITEMS - ITEMS / 5);
                assertThat(d.failed()).isEqualTo(ITEMS / 5);
            }));
            assertThat(new TreeSet<>(second.assignedPartitions())).hasSize(PARTITIONS);
            assertThat(viaSecond.batch(batchIds.get(0))).isInstanceOfSatisfying(Found.class,
                    found -> assertThat(((BatchView) found.value()).finished()).isEqualTo(ITEMS));
        }
    }

    /** Every fifth item fails. */
    private static ItemResult result(String batchId, int index) {
        return index % 5 == 0 ? Fixtures.failure(batchId, index) : Fixtures.success(batchId, index);
    }
}
