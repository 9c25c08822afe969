package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.fanout.config.ConfigException;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.InvalidItemException;
import dev.fanout.dispatcher.TestCatalogs;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Compensation;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.OnFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch file's {@code compensation} and {@code policy.onFailure}: what jobs carry, and the errors that name the
 * fix.
 */
class CompensationPlanTest {

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
    private static final BatchPolicy COMPENSATE = BatchPolicy.ofDefaults().withOnFailure(OnFailure.COMPENSATE);

    @TempDir
    Path dir;

    private static ItemPlanner planner(BatchSpec spec) {
        return new ItemPlanner(spec.withBatchId("b1"), TestCatalogs.names("echo", "refund", "void"));
    }

    private static DispatchItem item(String json) throws Exception {
        return DispatchItem.fromJson(Envelopes.mapper().readTree(json), "items[0]");
    }

    @Test
    void eachJobCarriesItsOwnCompensationElseTheBatchsAndItsRecordKeepsIt() throws Exception {
        ItemPlanner planner = planner(BatchSpec.of("echo").withPolicy(COMPENSATE)
                .withCompensation(new Compensation("refund", null)));

        JobRecord batchs = planner.plan(0, DispatchItem.of(IntNode.valueOf(1)), null, NOW, () -> "").job();
        JobRecord own = planner.plan(1, item("{\"payload\": 2, \"compensation\": {\"handler\": \"void\","
                + " \"settings\": {\"why\": \"x\"}}}"), null, NOW, () -> "").job();

        assertThat(batchs.compensation().handler()).isEqualTo("refund");
        assertThat(own.compensation().handler()).isEqualTo("void");
        assertThat(own.compensation().settings().path("why").asText()).isEqualTo("x");
        assertThat(Envelopes.decode(new JobEncoding().encode(own), JobRecord.class)).isEqualTo(own);
        assertThat(Envelopes.encode(own)).isEqualTo(new JobEncoding().encode(own));
    }

    @Test
    void withoutOnFailureCompensateNoJobCarriesACompensation() throws Exception {
        JobRecord job = planner(BatchSpec.of("echo")).plan(0, DispatchItem.of(IntNode.valueOf(1)), null, NOW,
                () -> "").job();

        assertThat(job.compensation()).isNull();
        assertThat(new String(Envelopes.encode(BatchPolicy.ofDefaults()), java.nio.charset.StandardCharsets.UTF_8))
                .as("a policy of earlier releases' readers").doesNotContain("onFailure");
        assertThat(Envelopes.mapper().readValue(Envelopes.encode(COMPENSATE), BatchPolicy.class))
                .isEqualTo(COMPENSATE);
        assertThat(new String(Envelopes.encode(job), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("compensation");
    }

    @Test
    void aCompensationWithoutThePolicyIsRefusedNamingBothFields() throws Exception {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, "handler: echo\ncompensation: {handler: refund}\n");

        assertThatThrownBy(() -> BatchSpec.File.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("compensation names the handler 'refund', but policy.onFailure is none: set"
                        + " policy.onFailure: compensate to run it when the batch fails, or remove compensation");
    }

    @Test
    void aCompensationWithoutAHandlerOrWithAnUnknownFieldIsRefusedNamingTheField() throws Exception {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, "handler: echo\npolicy: {onFailure: compensate}\ncompensation: {settings: {}}\n");
        assertThatThrownBy(() -> BatchSpec.File.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("compensation.handler is required: name the handler that undoes a succeeded"
                        + " item, e.g. compensation: {handler: refund}");

        assertThatThrownBy(() -> item("{\"payload\": 1, \"compensation\": {\"handler\": \"void\", \"hndler\": 1}}"))
                .isInstanceOf(InvalidItemException.class)
                .hasMessage("items[0]: compensation has an unknown field 'hndler'; it has handler and settings");
        Files.writeString(file, "handler: echo\npolicy: {onFailure: undo}\n");
        assertThatThrownBy(() -> BatchSpec.File.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("policy.onFailure must be one of none, compensate, was 'undo'");
    }

    @Test
    void underCompensateAnItemWithNoCompensationOrAnUnknownHandlerIsRefusedWithTheFix() throws Exception {
        ItemPlanner planner = planner(BatchSpec.of("echo").withPolicy(COMPENSATE));

        assertThatThrownBy(() -> planner.plan(3, DispatchItem.of(IntNode.valueOf(1)), null, NOW, () -> "line 4"))
                .isInstanceOf(InvalidItemException.class)
                .hasMessage("line 4, item 3: policy.onFailure is compensate, but neither the item nor the batch names"
                        + " a compensation: add compensation: {handler: NAME} to the batch, or to this item");
        assertThatThrownBy(() -> planner.plan(0, item("{\"payload\": 1, \"compensation\": {\"handler\": \"rfund\"}}"),
                null, NOW, () -> "")).isInstanceOf(InvalidItemException.class)
                .hasMessageContaining("compensation.handler")
                .hasMessageContaining("rfund");
        assertThatThrownBy(() -> planner(BatchSpec.of("echo")).plan(0,
                item("{\"payload\": 1, \"compensation\": {\"handler\": \"void\"}}"), null, NOW, () -> ""))
                .isInstanceOf(InvalidItemException.class)
                .hasMessageContaining("item field 'compensation' names the handler 'void', but policy.onFailure is"
                        + " none: set policy.onFailure: compensate, or remove it");
    }
}
