package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.results.ResultsClient;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchHandle;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.InlineItems;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.PermanentException;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.Strategy;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A dead letter replayed with {@code fanout dlq replay}, end to end: a real worker fails one item of a batch, the
 * aggregator decides the batch with that failure (revision 1), the failure goes away, the dead letter is replayed,
 * and the aggregator revises the batch (revision 2) with the item succeeded.
 */
@ExtendWith(KafkaExtension.class)
class ReplayRevisionIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    /** While set, the {@code flaky} handler fails item 1 permanently (no retries: dead-lettered at once). */
    private static volatile boolean broken;

    @Test
    void aReplayedDeadLetterThatNowSucceedsRevisesItsDecidedBatch(TestKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "replay-" + run + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix)
                .withPartitions(2, 1);
        Topics topics = settings.topics();
        HandlerCatalog catalog = HandlerCatalog.of(List.of(flaky()));
        String batchId = "replayed-" + run;
        BatchSpec spec = BatchSpec.of("flaky").withBatchId(batchId)
                .withPolicy(BatchPolicy.of(Strategy.WAIT_ALL, 0.5, PartialFailurePolicy.CONTINUE));
        broken = true;

        try (Aggregator aggregator = Aggregator.start(AggregatorConfig.of(settings).withHttpPort(0),
                        new MetricRegistry());
                Worker worker = Worker.start(WorkerConfig.of(settings).withWorkerId("replay-worker"), catalog,
                        new MetricRegistry(), InstantSource.system(), null);
                Dispatcher dispatcher = new Dispatcher(settings, catalog, new MetricRegistry(),
                        InstantSource.system());
                TopicRecords records = new TopicRecords(kafka.bootstrapServers())) {
            aggregator.awaitRunning(WAIT);
            ResultsClient api = ResultsClient.of(aggregator.resultsApi().orElseThrow());

            BatchResult first;
            try (BatchHandle handle = dispatcher.dispatch(spec, new InlineItems(items(3)))) {
                first = handle.awaitResult(WAIT).orElseThrow();
            }
            assertThat(first.revision()).isEqualTo(1);
            assertThat(first.status()).isEqualTo(BatchStatus.SUCCEEDED_WITH_FAILURES);
            assertThat(first.succeeded()).isEqualTo(2);
            assertThat(first.failed()).isEqualTo(1);
            assertThat(first.deadLettered()).isEqualTo(1);
            List<ConsumerRecord<String, byte[]>> deadLetters = records.awaitAtLeast(topics.deadLetters().name(), 1,
                    WAIT);
            assertThat(deadLetters).singleElement().satisfies(letter ->
                    assertThat(FanoutHeaders.text(letter.headers(), FanoutHeaders.BATCH_ID)).contains(batchId));

            broken = false;
            CommandOutput replay = CommandOutput.run("dlq", "replay", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic-prefix", prefix, "--batch", batchId, "--json");
            assertThat(replay.exitCode()).isZero();
            assertThat(Envelopes.mapper().readTree(replay.lastLine()).get("replayed").asLong()).isEqualTo(1);

            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                    api.batch(batchId) instanceof ResultsClient.Found<BatchView> found
                            && found.value().decision().revision() >= 2);
            BatchResult revised = ((ResultsClient.Found<BatchView>) api.batch(batchId)).value().decision();
            assertThat(revised.revision()).isEqualTo(2);
            assertThat(revised.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(revised.succeeded()).isEqualTo(3);
            assertThat(revised.failed()).isZero();
            assertThat(revised.deadLettered()).isZero();
            ItemView replayed = ((ResultsClient.Found<ItemView>) api.item(batchId, "1")).value();
            assertThat(replayed.status()).isEqualTo(ItemStatus.SUCCEEDED);
            assertThat(replayed.output().get("n").asInt()).isEqualTo(1);

            List<BatchResult> published = records.readAll(topics.batchResults().name()).stream()
                    .filter(record -> batchId.equals(record.key()))
                    .map(record -> Envelopes.decode(record.value(), BatchResult.class)).toList();
            assertThat(published).extracting(BatchResult::revision).containsExactly(1, 2);
        }
    }

    /** The payloads {@code {"n": 0}} to {@code {"n": count - 1}}. */
    private static JsonNode items(int count) {
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        for (int n = 0; n < count; n++) {
            items.addObject().put("n", n);
        }
        return items;
    }

    /** Echoes its payload; fails item 1 with a {@link PermanentException} while {@link #broken} is set. */
    private static ItemHandlerProvider flaky() {
        return ItemHandlerProvider.of("flaky", item -> {
            if (broken && item.payload().get("n").asInt() == 1) {
                throw new PermanentException("item 1 is broken until the fix is deployed");
            }
            return item.payload();
        });
    }
}
