package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.JsonLinesItems;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout pause|resume|cancel} against a real broker: the signal records, the notes and the refusals. */
@ExtendWith(KafkaExtension.class)
class SignalCommandIT {

    private KafkaSettings settings;
    private String servers;
    private String prefix;
    private String batch;

    @BeforeEach
    void setUp(TestKafka kafka) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        servers = kafka.bootstrapServers();
        prefix = "it-" + run + ".";
        batch = "orders-" + run;
        settings = KafkaSettings.of(servers).withTopicPrefix(prefix).withPartitions(1, 2);
    }

    @Test
    void pauseResumeAndCancelPublishKeyedSignalsAndACancelledBatchRefusesAPause() throws Exception {
        dispatch(batch);
        String control = settings.topics().control().name();

        CommandOutput paused = signal("pause", batch, "--reason", "the payment service is down");
        assertThat(paused.exitCode()).isZero();
        assertThat(paused.out().strip()).isEqualTo("batch " + batch + ": pause signal sent (control topic " + control
                + ", partition 0, offset 0)");
        assertThat(paused.err()).isBlank();

        CommandOutput resumed = signal("resume", batch, "--json");
        assertThat(resumed.exitCode()).isZero();
        assertThat(resumed.out()).startsWith("batch " + batch + ": resume signal sent (control topic " + control
                + ", partition 0, offset 1)");
        JsonNode receipt = Envelopes.mapper().readTree(resumed.lastLine());
        assertThat(receipt.get("action").asText()).isEqualTo("resume");
        assertThat(receipt.get("reason").asText()).isEqualTo("resumed with fanout resume");
        assertThat(receipt.get("previous").asText()).isEqualTo("pause");
        assertThat(receipt.get("notes")).isEmpty();

        CommandOutput resumedAgain = signal("resume", batch);
        assertThat(resumedAgain.exitCode()).isZero();
        assertThat(resumedAgain.err()).contains("fanout: note: batch " + batch + " was not paused (the signal in force"
                + " was resume at ").contains("); the resume signal changes nothing");

        CommandOutput cancelled = signal("cancel", batch, "--reason", "not needed any more");
        assertThat(cancelled.exitCode()).isZero();
        assertThat(cancelled.out()).contains("cancel signal sent").contains("offset 3)");

        CommandOutput pausedAfterCancel = signal("pause", batch);
        assertThat(pausedAfterCancel.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(pausedAfterCancel.err()).contains("fanout: batch " + batch + " was cancelled at ")
                .contains("(not needed any more); a cancelled batch cannot be paused: the latest signal of a batch is"
                        + " the one in force, so a pause would lift the cancel. Nothing was sent");

        try (TopicRecords records = new TopicRecords(servers)) {
            List<ConsumerRecord<String, byte[]>> signals = records.readAll(control);
            assertThat(signals).extracting(ConsumerRecord::key).containsOnly(batch);
            assertThat(signals.stream().map(record -> Envelopes.decode(record.value(), ControlSignal.class)).toList())
                    .extracting(ControlSignal::batchId, ControlSignal::action, ControlSignal::reason)
                    .containsExactly(
                            tuple(batch, ControlSignal.Action.PAUSE, "the payment service is down"),
                            tuple(batch, ControlSignal.Action.RESUME, "resumed with fanout resume"),
                            tuple(batch, ControlSignal.Action.RESUME, "resumed with fanout resume"),
                            tuple(batch, ControlSignal.Action.CANCEL, "not needed any more"));
        }
    }

    @Test
    void anUnknownOrBlankBatchIdAndABlankReasonAreRefusedWithExitCode2AndNothingIsSent() {
        dispatch(batch);

        CommandOutput unknown = signal("pause", "nope-" + batch);
        assertThat(unknown.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(unknown.err()).contains("fanout: no batch nope-" + batch + " is registered on " + prefix
                + "batches; check the batch id (fanout dispatch prints it) and --topic-prefix");
        assertThat(unknown.out()).isBlank();

        CommandOutput blank = signal("cancel", " ");
        assertThat(blank.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(blank.err()).contains("fanout: the batch id is blank: give the id of a dispatched batch");

        CommandOutput blankReason = signal("resume", batch, "--reason", "");
        assertThat(blankReason.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(blankReason.err()).contains("fanout: --reason must not be blank; leave it out for the default"
                + " reason, \"resumed with fanout resume\"");

        CommandOutput otherPrefix = CommandOutput.run("cancel", batch, "--bootstrap-servers", servers,
                "--topic-prefix", "other-" + prefix);
        assertThat(otherPrefix.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(otherPrefix.err()).contains("is registered on other-" + prefix + "batches (the topic does not"
                + " exist)");

        try (TopicRecords records = new TopicRecords(servers)) {
            assertThat(records.readAll(settings.topics().control().name())).isEmpty();
        }
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutWithExitCode1() {
        CommandOutput output = CommandOutput.run("pause", "orders-1", "--bootstrap-servers", "127.0.0.1:1",
                "--timeout", "2s");

        assertThat(output.exitCode()).isEqualTo(1);
        assertThat(output.err()).contains("fanout: cannot reach Kafka at 127.0.0.1:1 within 2s (")
                .contains("check --bootstrap-servers and that the brokers are up");
    }

    private CommandOutput signal(String command, String batchId, String... more) {
        String[] args = new String[more.length + 6];
        args[0] = command;
        args[1] = batchId;
        System.arraycopy(more, 0, args, 2, more.length);
        System.arraycopy(new String[] {"--bootstrap-servers", servers, "--topic-prefix", prefix}, 0, args,
                2 + more.length, 4);
        return CommandOutput.run(args);
    }

    private void dispatch(String batchId) {
        try (Dispatcher dispatcher = new Dispatcher(settings, HandlerCatalog.load(), new MetricRegistry(),
                InstantSource.system())) {
            dispatcher.publish(BatchSpec.of("echo").withBatchId(batchId), JsonLinesItems.of(
                    new ByteArrayInputStream("{\"n\":1}\n{\"n\":2}\n".getBytes(StandardCharsets.UTF_8)), "stdin"));
        }
    }
}
