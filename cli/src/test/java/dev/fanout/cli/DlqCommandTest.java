package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code fanout dlq} refuses invalid input before it reaches Kafka. */
class DlqCommandTest {

    private static final String NOWHERE = "127.0.0.1:1";

    @Test
    void showRefusesCoordinatesThatAreNotPartitionColonOffset() {
        CommandOutput out = CommandOutput.run("dlq", "show", "3-14", "--bootstrap-servers", NOWHERE);
        assertThat(out.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(out.err()).contains("PARTITION:OFFSET must be two whole numbers such as 0:42, was '3-14'");
    }

    @Test
    void replayRefusesAnUnreadableRateAnUnknownReasonAndABadTime() {
        CommandOutput rate = CommandOutput.run("dlq", "replay", "--rate", "fast", "--bootstrap-servers", NOWHERE);
        assertThat(rate.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(rate.err()).contains("--rate must be a positive rate such as 50/s, 0.5/s or 120/m, was 'fast'");

        CommandOutput reason = CommandOutput.run("dlq", "replay", "--reason", "broken", "--bootstrap-servers", NOWHERE);
        assertThat(reason.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(reason.err()).contains("--reason must be one of [HANDLER_ERROR, TIMEOUT,").contains("was 'broken'");

        CommandOutput since = CommandOutput.run("dlq", "list", "--since", "yesterday", "--bootstrap-servers", NOWHERE);
        assertThat(since.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(since.err()).contains("--since must be an instant such as 2026-11-22T01:00:00Z or a duration"
                + " before now such as 30m, 2h or 1d, was 'yesterday'");
    }

    @Test
    void listRefusesALimitBelowOne() {
        CommandOutput out = CommandOutput.run("dlq", "list", "--limit", "0", "--bootstrap-servers", NOWHERE);
        assertThat(out.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(out.err()).contains("--limit must be >= 1, was 0");
    }

    @Test
    void dlqWithoutASubcommandPrintsItsUsage() {
        CommandOutput out = CommandOutput.run("dlq");
        assertThat(out.exitCode()).isZero();
        assertThat(out.out()).contains("list").contains("show").contains("replay");
    }
}
