package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chaining targets are checked when a batch is submitted, before Kafka is contacted. */
class ChainingSubmissionTest {

    @TempDir
    Path dir;

    @Test
    void aBatchWithABadChainingTemplateIsRefusedWithTheFieldNamed() throws Exception {
        Path batch = dir.resolve("batch.yaml");
        Files.writeString(batch, """
                handler: echo
                policy:
                  strategy: wait_all
                  onSuccess:
                    topic: next-step
                    with: {results: "{{ .outpt }}", took: "{{ .execution.duration }}"}
                items: [1]
                """);

        CommandOutput output = CommandOutput.run("dispatch", batch.toString(), "--bootstrap-servers", "127.0.0.1:1");

        assertThat(output.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(output.err()).contains("policy.onSuccess.with.results: unknown field '.outpt' in"
                + " \"{{ .outpt }}\"; known fields: .batchId");
    }

    @Test
    void aChainingTargetWithoutATopicIsRefused() throws Exception {
        Path batch = dir.resolve("batch.yaml");
        Files.writeString(batch, "handler: echo\npolicy: {onError: {with: {a: \"{{ .status }}\"}}}\nitems: [1]\n");

        CommandOutput output = CommandOutput.run("dispatch", batch.toString(), "--bootstrap-servers", "127.0.0.1:1");

        assertThat(output.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(output.err()).contains("policy.onError.topic is required");
    }
}
