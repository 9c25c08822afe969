package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.apache.kafka.clients.consumer.ConsumerRecord;

@ExtendWith(KafkaExtension.class)
class InvalidItemsIT {

    private KafkaSettings settings;
    private String servers;

    @BeforeEach
    void setUp(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        settings = KafkaSettings.of(servers).withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(2, 2);
    }

    @Test
    void anInvalidLineOnStdinStopsTheBatchCancelsItAndSaysWhichLine() {
        try (Dispatcher dispatcher = dispatcher()) {
            BatchHandle handle = dispatcher.dispatch(BatchSpec.of("echo").withBatchId("bad-stdin"),
                    TestItems.stdin("{\"n\":1}\n{\"n\":2}\n{\"n\":\n{\"n\":4}\n"));

            assertThatThrownBy(handle::awaitPublished)
                    .isInstanceOf(InvalidItemException.class)
                    .hasMessageStartingWith("stdin line 3: not valid JSON")
                    .hasMessageEndingWith("; batch bad-stdin stopped after 2 published items, is not sealed and was"
                            + " sent a cancel signal (1 item rejected: stdin line 3)")
                    .satisfies(error -> {
                        InvalidItemException invalid = (InvalidItemException) error;
                        assertThat(invalid.published()).isEqualTo(2);
                        assertThat(invalid.rejected()).containsExactly("stdin line 3");
                    });
            assertThat(handle.progress().state()).isEqualTo(DispatchProgress.State.FAILED);
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(jobs(records)).hasSize(2);
            assertThat(records.readAll(settings.topics().batches().name()))
                    .extracting(record -> Envelopes.decode(record.value(), BatchDefinition.class).sealed())
                    .containsExactly(false);
            List<ConsumerRecord<String, byte[]>> control =
                    records.readAll(settings.topics().control().name());
            assertThat(control).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("bad-stdin");
                assertThat(FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID)).hasValue("bad-stdin");
            });
            List<ControlSignal> signals = control.stream()
                    .map(record -> Envelopes.decode(record.value(), ControlSignal.class)).toList();
            assertThat(signals).singleElement().satisfies(signal -> {
                assertThat(signal.batchId()).isEqualTo("bad-stdin");
                assertThat(signal.action()).isEqualTo(ControlSignal.Action.CANCEL);
                assertThat(signal.reason()).startsWith("invalid item: stdin line 3: not valid JSON");
            });
        }
    }

    @Test
    void withSkipInvalidLinesAreLeftOutListedAndTheBatchIsSealedWithThePublishedCount() {
        DispatchResult result;
        try (Dispatcher dispatcher = dispatcher()) {
            result = dispatcher.publish(BatchSpec.of("echo").withBatchId("skipping"),
                    TestItems.stdin("1\n{oops\n2\n{\"payload\":3,\"colour\":\"red\"}\n3\n4\n"),
                    DispatchOptions.ofDefaults().withOnInvalidItem(InvalidItemPolicy.SKIP));
        }

        assertThat(result.total()).isEqualTo(4);
        assertThat(result.rejected().describe()).isEqualTo("2 items rejected: stdin line 2, stdin line 4");
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(jobs(records)).extracting(JobRecord::index).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
            assertThat(jobs(records)).extracting(job -> job.payload().asInt()).containsExactlyInAnyOrder(1, 2, 3, 4);
            List<BatchDefinition> definitions = records.readAll(settings.topics().batches().name()).stream()
                    .map(record -> Envelopes.decode(record.value(), BatchDefinition.class)).toList();
            assertThat(definitions).extracting(BatchDefinition::sealed).containsExactly(false, true);
            assertThat(definitions.get(1).total()).isEqualTo(4);
        }
    }

    private List<JobRecord> jobs(TopicRecords records) {
        return records.readAll(settings.topics().jobs(Lane.NORMAL).name()).stream()
                .map(record -> Envelopes.decode(record.value(), JobRecord.class)).toList();
    }

    private Dispatcher dispatcher() {
        return new Dispatcher(settings, TestCatalogs.of("echo"), new MetricRegistry(), InstantSource.system());
    }
}
