package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.CompensationInput;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.OnFailure;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy.onFailure: compensate} under {@code TopologyTestDriver}: the compensation batch's registration, one job
 * per succeeded item (before and after the decision), never two for one item, and its seal once the batch settles.
 */
class CompensationTopologyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final BatchPolicy COMPENSATE = BatchPolicy.of(Strategy.WAIT_ALL, 1.0,
            PartialFailurePolicy.CONTINUE).withOnFailure(OnFailure.COMPENSATE);

    @TempDir
    Path stateDir;

    private TopologyHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private static ItemResult compensable(String batchId, long index) {
        JsonNode output = JsonNodeFactory.instance.objectNode().put("charged", index);
        return Fixtures.success(batchId, index, 10, NOW.minusSeconds(5), output).withCompensation(
                new CompensationInput("refund", JsonNodeFactory.instance.objectNode().put("mode", "full"),
                        "customer-" + index, JsonNodeFactory.instance.objectNode().put("order", index)));
    }

    @Test
    void aFailedBatchCompensatesEachSucceededItemOnceAndSealsItsCompensationBatchWhenSettled() {
        h = new TopologyHarness(stateDir, NOW);
        var jobs = h.topic(TopologyHarness.TOPICS.jobs(Lane.NORMAL).name());
        var definitions = h.topic(TopologyHarness.TOPICS.batches().name());
        h.define(Fixtures.sealed("c1", 5, COMPENSATE, NOW.minusSeconds(10)));
        definitions.readRecordsToList(); // the parent's own registration
        h.report(compensable("c1", 0), compensable("c1", 1), Fixtures.failure("c1", 2));

        BatchResult decision = h.decisions.readValue();
        assertThat(decision.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(decision.compensationBatchId()).isEqualTo("c1.compensation");
        assertThat(decision.compensated()).isEqualTo(2);
        List<TestRecord<String, byte[]>> first = jobs.readRecordsToList();
        assertThat(first).extracting(TestRecord::key).containsExactly("customer-0", "customer-1");
        JobRecord job = Envelopes.decode(first.get(1).value(), JobRecord.class);
        assertThat(job.batchId()).isEqualTo("c1.compensation");
        assertThat(job.itemId()).isEqualTo("item-1");
        assertThat(job.index()).isEqualTo(1);
        assertThat(job.handler()).isEqualTo("refund");
        assertThat(job.settings().path("mode").asText()).isEqualTo("full");
        assertThat(job.payload().path("compensates").path("batchId").asText()).isEqualTo("c1");
        assertThat(job.payload().path("compensates").path("index").asLong()).isEqualTo(1);
        assertThat(job.payload().path("payload").path("order").asLong()).isEqualTo(1);
        assertThat(job.payload().path("output").path("charged").asLong()).isEqualTo(1);
        assertThat(FanoutHeaders.text(first.get(1).headers(), FanoutHeaders.COMPENSATION_OF)).contains("c1");

        h.report(compensable("c1", 0), compensable("c1", 3)); // a redelivered success, then one still running
        assertThat(jobs.readRecordsToList()).extracting(TestRecord::key).containsExactly("customer-3");
        h.report(Fixtures.failure("c1", 4));
        h.commit();

        BatchResult settled = h.decisions.readValue();
        assertThat(settled.settled()).isTrue();
        assertThat(settled.compensated()).isEqualTo(3);
        List<BatchDefinition> children = definitions.readValuesToList().stream()
                .map(bytes -> Envelopes.decode(bytes, BatchDefinition.class)).toList();
        assertThat(children).extracting(BatchDefinition::batchId).containsOnly("c1.compensation");
        assertThat(children).extracting(BatchDefinition::sealed).containsExactly(false, true);
        assertThat(children.get(1).total()).isEqualTo(3);
        assertThat(children.get(1).lane()).isEqualTo(Lane.NORMAL);
        assertThat(h.registry.counter(AggregatorMetrics.COMPENSATIONS).getCount()).isEqualTo(3);
        assertThat(h.batchStore().get("c1.compensation").definition().sealed())
                .as("the aggregator reads its own registration of the compensation batch").isTrue();
    }

    @Test
    void jobsGoToTheBatchsLaneAndASuccessAfterTheSealIsNotCompensated() {
        h = new TopologyHarness(stateDir, NOW);
        var high = h.topic(TopologyHarness.TOPICS.jobs(Lane.HIGH).name());
        var normal = h.topic(TopologyHarness.TOPICS.jobs(Lane.NORMAL).name());
        BatchDefinition sealed = Fixtures.sealed("h1", 2, COMPENSATE, NOW.minusSeconds(10));
        h.define(new BatchDefinition(sealed.schemaVersion(), "h1", "echo", 2L, true, COMPENSATE, Lane.HIGH,
                sealed.createdAt()));
        h.report(compensable("h1", 0), Fixtures.failure("h1", 1)); // settled at its first decision

        assertThat(h.decisions.readValue().compensated()).isEqualTo(1);
        assertThat(high.readRecordsToList()).extracting(TestRecord::key).containsExactly("customer-0");
        assertThat(h.batchStore().get("h1").compensationBatch().sealed()).isTrue();
        h.report(Fixtures.replayed(compensable("h1", 1), 7)); // the failure's dead letter replayed: it succeeds
        h.commit();

        assertThat(h.decisions.readValue().compensated()).as("the revision after the replay").isEqualTo(1);
        assertThat(high.isEmpty()).isTrue();
        assertThat(normal.isEmpty()).isTrue();
    }

    @Test
    void aBatchThatSucceedsOrDoesNotAskForCompensationPublishesNoCompensation() {
        h = new TopologyHarness(stateDir, NOW);
        var jobs = h.topic(TopologyHarness.TOPICS.jobs(Lane.NORMAL).name());
        h.define(Fixtures.sealed("ok", 2, COMPENSATE, NOW.minusSeconds(10)));
        h.define(Fixtures.sealed("none", 2, BatchPolicy.ofDefaults(), NOW.minusSeconds(10)));
        h.report(compensable("ok", 0), compensable("ok", 1), compensable("none", 0), Fixtures.failure("none", 1));

        assertThat(h.decisions.readValuesToList()).extracting(BatchResult::status, BatchResult::compensated)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(BatchStatus.SUCCEEDED, null),
                        org.assertj.core.groups.Tuple.tuple(BatchStatus.FAILED, null));
        assertThat(jobs.isEmpty()).isTrue();
    }
}
