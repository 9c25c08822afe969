package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Strategy;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pause, resume and cancel signals through the Java API, against a real broker. */
@ExtendWith(KafkaExtension.class)
class BatchSignalsIT {

    private static final Instant AT = Instant.parse("2026-11-22T03:00:00Z");

    private KafkaSettings settings;
    private String servers;

    @BeforeEach
    void setUp(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        settings = KafkaSettings.of(servers).withTopicPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(1, 2);
    }

    @Test
    void signalsLandOnTheControlTopicKeyedByBatchInOrderAndACancelledBatchCannotBeResumed() {
        try (Dispatcher dispatcher = dispatcher()) {
            BatchHandle batch = dispatcher.dispatch(BatchSpec.of("echo").withBatchId("signalled"),
                    TestItems.stdin("1\n2\n3\n"));
            batch.awaitPublished();

            SignalReceipt paused = batch.pause("the payment service is down");
            SignalReceipt resumed = dispatcher.resume("signalled", null);
            SignalReceipt resumedAgain = dispatcher.resume("signalled", "again");
            SignalReceipt cancelled = dispatcher.cancel("signalled", "not needed any more");

            assertThat(paused.topic()).isEqualTo(settings.topics().control().name());
            assertThat(paused.previous()).isNull();
            assertThat(paused.notes()).isEmpty();
            assertThat(resumed.previous().action()).isEqualTo(ControlSignal.Action.PAUSE);
            assertThat(resumed.notes()).isEmpty();
            assertThat(resumedAgain.notes()).singleElement().asString()
                    .startsWith("batch signalled was not paused (the signal in force was resume at ")
                    .endsWith("); the resume signal changes nothing");
            assertThat(cancelled.offset()).isEqualTo(paused.offset() + 3);
            assertThat(cancelled.signal().at()).isEqualTo(AT);
            assertThatThrownBy(() -> batch.resume("please"))
                    .isInstanceOf(SignalRefusedException.class)
                    .hasMessage("batch signalled was cancelled at " + AT + " (not needed any more); a cancelled batch"
                            + " cannot be resumed: the latest signal of a batch is the one in force, so a resume would"
                            + " lift the cancel. Nothing was sent; dispatch the items again as a new batch to run them")
                    .extracting(error -> ((SignalRefusedException) error).reason())
                    .isEqualTo(SignalRefusedException.Reason.CANCELLED);
            assertThatThrownBy(() -> dispatcher.pause("signalled", null))
                    .isInstanceOf(SignalRefusedException.class);
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            List<ConsumerRecord<String, byte[]>> control = records.readAll(settings.topics().control().name());
            assertThat(control).extracting(ConsumerRecord::key).containsOnly("signalled");
            assertThat(control).allSatisfy(record -> assertThat(FanoutHeaders.text(record.headers(),
                    FanoutHeaders.BATCH_ID)).hasValue("signalled"));
            assertThat(control.stream().map(record -> Envelopes.decode(record.value(), ControlSignal.class)).toList())
                    .extracting(ControlSignal::action, ControlSignal::reason)
                    .containsExactly(
                            tuple(ControlSignal.Action.PAUSE, "the payment service is down"),
                            tuple(ControlSignal.Action.RESUME, null),
                            tuple(ControlSignal.Action.RESUME, "again"),
                            tuple(ControlSignal.Action.CANCEL, "not needed any more"));
        }
    }

    @Test
    void aCancelOfADecidedBatchIsSentWithANoteSayingItChangesOnlyItemsNotStarted() {
        try (Dispatcher dispatcher = dispatcher();
                TopicRecords records = new TopicRecords(servers)) {
            dispatcher.publish(BatchSpec.of("echo").withBatchId("decided"), TestItems.stdin("1\n"));
            records.send(new ProducerRecord<>(settings.topics().batchResults().name(), "decided",
                    Envelopes.encode(new BatchResult(Envelopes.SCHEMA_VERSION, "decided", BatchStatus.FAILED, 1,
                            Strategy.WAIT_ALL, 1, 0, 1, 0, 0, 1, 0.0, AT, AT, 5, 5, 1.0, 5, 5, 5, "item 0 failed",
                            List.of(), null))));

            SignalReceipt cancelled = dispatcher.cancel("decided", null);

            assertThat(cancelled.decided()).isEqualTo(BatchStatus.FAILED);
            assertThat(cancelled.notes()).containsExactly("batch decided is already decided (FAILED); the cancel signal"
                    + " only affects its items that have not started, and not the decision");
        }
    }

    @Test
    void anUnknownBlankOrMalformedBatchIdIsRefusedAndNothingIsSent() {
        try (BatchSignals signals = BatchSignals.create(settings, InstantSource.fixed(AT))) {
            assertThatThrownBy(() -> signals.pause("nobody", null))
                    .isInstanceOf(SignalRefusedException.class)
                    .hasMessage("no batch nobody is registered on " + settings.topics().batches().name() + " (the topic"
                            + " does not exist); check the batch id (fanout dispatch prints it) and --topic-prefix");
            try (Dispatcher dispatcher = dispatcher()) {
                dispatcher.publish(BatchSpec.of("echo").withBatchId("someone"), TestItems.stdin("1\n"));
            }
            assertThatThrownBy(() -> signals.cancel("nobody", null))
                    .isInstanceOf(SignalRefusedException.class)
                    .hasMessage("no batch nobody is registered on " + settings.topics().batches().name() + "; check the"
                            + " batch id (fanout dispatch prints it) and --topic-prefix")
                    .extracting(error -> ((SignalRefusedException) error).reason())
                    .isEqualTo(SignalRefusedException.Reason.UNKNOWN_BATCH);
            assertThatThrownBy(() -> signals.resume(" ", null))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("the batch id is blank: give the id of a dispatched batch (fanout dispatch prints it)");
            assertThatThrownBy(() -> signals.resume("a b", null))
                    .hasMessage("batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was 'a b'");
            assertThatThrownBy(() -> signals.pause("someone", ""))
                    .hasMessage("reason must not be blank; leave it out to send no reason");
            assertThat(signals.inForce("someone")).isEmpty();
        }
        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(records.readAll(settings.topics().control().name())).isEmpty();
        }
    }

    private Dispatcher dispatcher() {
        return new Dispatcher(settings, TestCatalogs.of("echo"), new MetricRegistry(), InstantSource.fixed(AT));
    }
}
