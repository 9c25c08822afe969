package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanoutCommandTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "broker", "dispatch", "worker", "aggregator", "status",
            "pause", "resume", "cancel", "dlq"}) {
            CommandOutput output = CommandOutput.run(command, "--help");
            assertThat(output.exitCode()).as(command).isZero();
            assertThat(output.out()).as(command).contains("Usage: fanout " + command);
        }
    }

    @Test
    void theAggregatorsHelpSaysWhereItKeepsItsStateAndThatItServesHealth() {
        CommandOutput output = CommandOutput.run("aggregator", "--help");

        String help = output.out().replaceAll("\\s+", " ");
        assertThat(help).contains("$FANOUT_HOME/state when FANOUT_HOME is set, else .fanout/state in the working"
                + " directory").contains("DIR/<application id>").contains("/healthz and /readyz")
                .contains("Exits 1 if Kafka Streams stops by itself");
    }

    @Test
    void anInvalidBatchFileIsRefusedBeforeKafkaIsContacted() throws Exception {
        Path batch = dir.resolve("batch.yaml");
        Files.writeString(batch, "handler: echo\npolicy: {minSuccessRate: -0.5}\nitems: [1]\n");

        CommandOutput output = CommandOutput.run("dispatch", batch.toString(), "--bootstrap-servers", "127.0.0.1:1");

        assertThat(output.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(output.err()).contains("policy.minSuccessRate must be between 0 and 1, was -0.5");
    }

    @Test
    void theDemoRefusesImpossibleFlagsByName() {
        CommandOutput output = CommandOutput.run("demo", "--failure-rate", "2");

        assertThat(output.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(output.err()).contains("--failure-rate must be between 0 and 1, was 2.0");
    }

    @Test
    void commandsThatNeedKafkaSayHowToGiveIt() {
        CommandOutput output = CommandOutput.run("status", "some-batch");

        assertThat(output.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(output.err()).contains("no Kafka given: pass --bootstrap-servers host:port");
    }
}
