package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.fanout.config.ConfigException;
import dev.fanout.dispatcher.internal.ItemPlanner;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.protocol.TimeoutPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch-level execution fields: retry, timeout, onTimeout, outputSchema, deadLetterQueue. */
class ExecutionSpecTest {

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void everyExecutionFieldIsReadFromTheTopLevelOfABatchFile() throws Exception {
        ItemExecution execution = BatchSpec.File.read(BatchSpecTest.resource("good.yaml")).spec().execution();

        assertThat(execution.retry()).isEqualTo(new RetrySettings(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1),
                5, List.of("IllegalArgumentException", "java.io.FileNotFoundException")));
        assertThat(execution.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(execution.onTimeout()).isEqualTo(TimeoutPolicy.CONTINUE);
        assertThat(execution.outputSchema().get("required").get(0).asText()).isEqualTo("customer");
        assertThat(execution.deadLetterQueue()).isFalse();
        assertThat(execution.deadLetters()).isFalse();
    }

    @Test
    void aRetryPolicyMayGiveOnlySomeFieldsAndTheRestStayWithTheHandler() throws Exception {
        ItemExecution execution = read("handler: echo\nretry: {maximumAttempts: 3}\nonTimeout: cancel\n").execution();

        assertThat(execution.retry()).isEqualTo(new RetrySettings(null, null, null, 3, null));
        assertThat(execution.timeout()).isNull();
        assertThat(execution.onTimeout()).isEqualTo(TimeoutPolicy.CANCEL);
        assertThat(execution.deadLetters()).isTrue();
    }

    @Test
    void withoutExecutionFieldsNothingIsSetAndJobRecordsLeaveTheFieldOut() throws Exception {
        BatchSpec spec = read("handler: echo\nbatchId: plain\n");

        assertThat(spec.execution().isEmpty()).isTrue();
        JobRecord job = plan(spec);
        assertThat(job.execution()).isNull();
        assertThat(new String(Envelopes.encode(job), StandardCharsets.UTF_8)).doesNotContain("execution");
    }

    @Test
    void everyJobRecordOfTheBatchCarriesItsExecutionSettingsAlsoWhenRestamped() throws Exception {
        BatchSpec spec = BatchSpec.File.read(BatchSpecTest.resource("good.yaml")).spec();
        ItemPlanner planner = new ItemPlanner(spec, TestCatalogs.names("echo"));
        JsonNode payload = Envelopes.mapper().readTree("{\"customer\":\"c1\"}");

        ItemPlanner.Planned first = planner.plan(0, DispatchItem.of(payload), 2L, NOW, () -> "");
        JobRecord second = planner.restamp(planner.plan(1, DispatchItem.of(payload), 2L, NOW, () -> ""),
                NOW.plusSeconds(5)).job();

        assertThat(first.job().execution()).isEqualTo(spec.execution());
        assertThat(second.execution()).isEqualTo(spec.execution());
        JobRecord decoded = Envelopes.decode(Envelopes.encode(first.job()), JobRecord.class);
        assertThat(decoded.execution()).isEqualTo(spec.execution());
    }

    @Test
    void theJavaApiSetsEachFieldOverTheOthers() {
        BatchSpec spec = BatchSpec.of("echo")
                .withRetry(new RetrySettings(Duration.ofMillis(200), null, null, 4, null))
                .withItemTimeout(Duration.ofSeconds(10), TimeoutPolicy.ERROR)
                .withOutputSchema(Envelopes.mapper().createObjectNode().put("type", "object"))
                .withDeadLetterQueue(false);

        assertThat(spec.execution()).isEqualTo(new ItemExecution(
                new RetrySettings(Duration.ofMillis(200), null, null, 4, null), Duration.ofSeconds(10),
                TimeoutPolicy.ERROR, Envelopes.mapper().createObjectNode().put("type", "object"), false));
        assertThat(spec.withExecution(null).execution().isEmpty()).isTrue();
    }

    @Test
    void anImpossibleRetryValueNamesTheFieldTheValueAndWhatItMeans() {
        assertThatThrownBy(() -> read("handler: echo\nretry: {maximumAttempts: 0}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.yaml: retry.maximumAttempts must be a whole number >= 1 (attempts in all,"
                        + " the first included; 1 means no retry), was 0");
        assertThatThrownBy(() -> read("handler: echo\nretry: {maximumAttempts: 2.5}\n"))
                .hasMessageContaining("retry.maximumAttempts must be a whole number >= 1")
                .hasMessageContaining("was 2.5");
        assertThatThrownBy(() -> read("handler: echo\nretry: {initialInterval: -1s}\n"))
                .hasMessageContaining("retry.initialInterval must be a duration >= 0 such as 500ms, 30s, 1m or PT1M"
                        + " (the wait before the first retry), was '-1s'");
        assertThatThrownBy(() -> read("handler: echo\nretry: {maximumInterval: PT-5S}\n"))
                .hasMessageContaining("retry.maximumInterval must be a duration >= 0")
                .hasMessageContaining("was 'PT-5S'");
        assertThatThrownBy(() -> read("handler: echo\nretry: {initialInterval: soon}\n"))
                .hasMessageContaining("retry.initialInterval must be a duration >= 0")
                .hasMessageContaining("was 'soon'");
        assertThatThrownBy(() -> read("handler: echo\nretry: {initialInterval: 10s, maximumInterval: 1s}\n"))
                .hasMessageContaining("retry.maximumInterval must be at least retry.initialInterval (10s): the waits"
                        + " grow from initialInterval up to maximumInterval, was 1s");
        assertThatThrownBy(() -> read("handler: echo\nretry: {backoffCoefficient: 0.5}\n"))
                .hasMessageContaining("retry.backoffCoefficient must be a number >= 1.0 (each wait is the one before"
                        + " times it; 1.0 keeps the waits equal), was 0.5");
        assertThatThrownBy(() -> read("handler: echo\nretry: {nonRetryable: IOException}\n"))
                .hasMessageContaining("retry.nonRetryable must be a list of error types");
        assertThatThrownBy(() -> read("handler: echo\nretry: {nonRetryable: [IOException, '']}\n"))
                .hasMessageContaining("retry.nonRetryable[1] must be an error type's class name");
    }

    @Test
    void aRetryThatIsNotAnObjectOrHasAnUnknownFieldIsRefused() {
        assertThatThrownBy(() -> read("handler: echo\nretry: 5\n"))
                .hasMessageContaining("retry must be an object such as {initialInterval: 1s, backoffCoefficient: 2.0,"
                        + " maximumInterval: 1m, maximumAttempts: 5}, was 5");
        assertThatThrownBy(() -> read("handler: echo\nretry: {maxAttempts: 5}\n"))
                .hasMessageContaining("unknown field 'retry.maxAttempts'; known fields here: backoffCoefficient,"
                        + " initialInterval, maximumAttempts, maximumInterval, nonRetryable");
    }

    @Test
    void aTimeoutMustBePositiveAndOnTimeoutOneOfItsThreeValues() {
        assertThatThrownBy(() -> read("handler: echo\ntimeout: 0s\n"))
                .hasMessageContaining("batch.yaml: timeout must be a positive duration such as 500ms, 30s, 1m or PT1M"
                        + " (how long one attempt of an item may run; leave it out for the handler's own timeout),"
                        + " was '0s'");
        assertThatThrownBy(() -> read("handler: echo\ntimeout: -30s\n"))
                .hasMessageContaining("timeout must be a positive duration")
                .hasMessageContaining("was '-30s'");
        assertThatThrownBy(() -> read("handler: echo\ntimeout: [30s]\n"))
                .hasMessageContaining("timeout must be a positive duration")
                .hasMessageContaining("was [\"30s\"]");
        assertThatThrownBy(() -> read("handler: echo\ntimeout: 30s\nonTimeout: maybe\n"))
                .hasMessageContaining("onTimeout must be one of error, cancel, continue, was 'maybe'");
        assertThatThrownBy(() -> read("handler: echo\ndeadLetterQueue: sometimes\n"))
                .hasMessageContaining("field 'deadLetterQueue' has the wrong value 'sometimes': expected true or"
                        + " false");
    }

    @Test
    void anInvalidOutputSchemaIsRefusedBeforeAnythingIsPublished() {
        assertThatThrownBy(() -> read("handler: echo\noutputSchema: {type: 12}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.yaml: outputSchema is not a valid JSON Schema: ")
                .hasMessageContaining("fix the schema");
        assertThatThrownBy(() -> read("handler: echo\noutputSchema: object\n"))
                .hasMessageContaining("outputSchema must be a JSON Schema object (or true/false), was string");
        assertThatThrownBy(() -> BatchSpec.of("echo").withOutputSchema(
                Envelopes.mapper().createObjectNode().put("minimum", "zero")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("outputSchema is not a valid JSON Schema: ");
    }

    private BatchSpec read(String yaml) throws Exception {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, yaml);
        return BatchSpec.File.read(file).spec();
    }

    private static JobRecord plan(BatchSpec spec) {
        return new ItemPlanner(spec.withIdAssigned(), TestCatalogs.names("echo"))
                .plan(0, DispatchItem.of(IntNode.valueOf(1)), null, NOW, () -> "").job();
    }
}
