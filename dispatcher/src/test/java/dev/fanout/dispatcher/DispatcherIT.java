package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import java.util.Comparator;

@ExtendWith(KafkaExtension.class)
class DispatcherIT {

    private KafkaSettings settings;
    private Topics topics;
    private String servers;

    @BeforeEach
    void setUp(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        settings = KafkaSettings.of(servers).withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(4, 2);
        topics = settings.topics();
    }

    @Test
    void aBatchFileIsRegisteredPublishedOnItsLaneWithKeysHeadersAndExecutionSettingsAndSealed() throws Exception {
        BatchSpec.File file = BatchSpec.File.read(BatchSpecTest.resource("good.yaml"));
        DispatchResult result;
        try (Dispatcher dispatcher = dispatcher()) {
            result = dispatcher.publish(file.spec(), new InlineItems(file.items()));
        }

        assertThat(result.batchId()).isEqualTo("orders-1");
        assertThat(result.total()).isEqualTo(3);
        try (TopicRecords records = new TopicRecords(servers)) {
            List<ConsumerRecord<String, byte[]>> jobs = records.readAll(topics.jobs(Lane.HIGH).name());
            assertThat(jobs).hasSize(3);
            assertThat(jobs).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("c1", "c2", "c1");
            List<JobRecord> decoded = jobs.stream().map(r -> Envelopes.decode(r.value(), JobRecord.class))
                    .sorted(Comparator.comparingLong(JobRecord::index)).toList();
            assertThat(decoded).extracting(JobRecord::itemId).containsExactly("0", "1", "third");
            assertThat(decoded).allSatisfy(job -> {
                assertThat(job.total()).isEqualTo(3);
                assertThat(job.traceId()).isEqualTo("trace-orders-1-" + job.index());
                assertThat(job.handler()).isEqualTo("echo");
                assertThat(job.execution()).isEqualTo(file.spec().execution());
            });
            JsonNode execution = Envelopes.mapper().readTree(jobs.get(0).value()).get("execution");
            assertThat(execution.get("retry").get("initialInterval").asText()).isEqualTo("PT1S");
            assertThat(execution.get("retry").get("maximumAttempts").asInt()).isEqualTo(5);
            assertThat(execution.get("timeout").asText()).isEqualTo("PT30S");
            assertThat(execution.get("onTimeout").asText()).isEqualTo("continue");
            assertThat(execution.get("outputSchema").get("required").get(0).asText()).isEqualTo("customer");
            assertThat(execution.get("deadLetterQueue").asBoolean(true)).isFalse();
            assertThat(decoded.get(0).settings().get("greeting").asText()).isEqualTo("hello");
            assertThat(decoded.get(2).settings().get("greeting").asText()).isEqualTo("hi");
            ConsumerRecord<String, byte[]> third = jobs.stream()
                    .filter(r -> FanoutHeaders.text(r.headers(), FanoutHeaders.ITEM_ID).orElse("").equals("third"))
                    .findFirst().orElseThrow();
            assertThat(FanoutHeaders.text(third.headers(), FanoutHeaders.ITEM_INDEX)).hasValue("2");
            assertThat(FanoutHeaders.text(third.headers(), FanoutHeaders.ITEM_TOTAL)).hasValue("3");
            assertThat(FanoutHeaders.text(third.headers(), FanoutHeaders.BATCH_ID)).hasValue("orders-1");

            List<BatchDefinition> definitions = records.readAll(topics.batches().name()).stream()
                    .map(r -> Envelopes.decode(r.value(), BatchDefinition.class)).toList();
            assertThat(definitions).extracting(BatchDefinition::sealed).containsExactly(false, true);
            assertThat(definitions.get(1).total()).isEqualTo(3);
        }
    }

    @Test
    void aStreamOfUnknownLengthIsSealedWithTheCountAtItsEnd() {
        String lines = IntStream.range(0, 50).mapToObj(i -> "{\"n\":" + i + "}").collect(Collectors.joining("\n"));
        DispatchResult result;
        try (Dispatcher dispatcher = dispatcher()) {
            result = dispatcher.publish(BatchSpec.of("echo"), JsonLinesItems.of(
                    new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)), "stdin"));
        }

        assertThat(result.total()).isEqualTo(50);
        try (TopicRecords records = new TopicRecords(servers)) {
            List<JobRecord> jobs = records.awaitAtLeast(topics.jobs(Lane.NORMAL).name(), 50, Duration.ofSeconds(30))
                    .stream().map(r -> Envelopes.decode(r.value(), JobRecord.class)).toList();
            assertThat(jobs).hasSize(50).allSatisfy(job -> {
                assertThat(job.total()).isNull();
                assertThat(job.execution()).isNull();
            });
            List<BatchDefinition> definitions = records.readAll(topics.batches().name()).stream()
                    .map(r -> Envelopes.decode(r.value(), BatchDefinition.class)).toList();
            assertThat(definitions.get(0).total()).isNull();
            assertThat(definitions.get(1).sealed()).isTrue();
            assertThat(definitions.get(1).total()).isEqualTo(50);
        }
    }

    private Dispatcher dispatcher() {
        return new Dispatcher(settings, TestCatalogs.of("echo"), new MetricRegistry(), InstantSource.system());
    }
}
