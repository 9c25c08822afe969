package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.aggregator.AggregatorMetrics;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Compensation;
import dev.fanout.protocol.CompensationInput;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compensates the succeeded items of a batch decided {@code FAILED} or {@code CANCELLED} under
 * {@code policy.onFailure: compensate}: registers its child batch {@code <batchId>.compensation} (unsealed, lane of the
 * batch, {@code wait_all}), publishes one job per succeeded item to the batch's lane (the item's record key, its
 * compensation handler and settings, a payload of {@code {compensates, payload, output}}), and seals the child with
 * the number of jobs once the batch is settled. Items that succeed after the decision are compensated when their
 * result is counted.
 *
 * <p>Exactly once per item: the job, the item's {@code compensatedAs} mark in the item store and the batch state's job
 * count are written in one Kafka Streams transaction ({@code exactly_once_v2}), so a restart or a moved task either
 * sees all three or none, and an item already marked is never compensated again. The job's identity is deterministic:
 * batch {@code <batchId>.compensation}, the item's own {@code itemId}. No Admin call: the lanes and the batches topic
 * are static sinks.
 */
final class Compensations {

    private static final Logger log = LoggerFactory.getLogger(Compensations.class);
    /** The child's handler when no item has been compensated at its registration (items name their own). */
    static final String PER_ITEM_HANDLER = "compensation";

    private final ProcessorContext<byte[], byte[]> context;
    private final AggregatorProcessor.Wiring wiring;
    private final ItemStore items;
    private final AggregatorMetrics metrics;

    Compensations(ProcessorContext<byte[], byte[]> context, AggregatorProcessor.Wiring wiring, ItemStore items,
            AggregatorMetrics metrics) {
        this.context = context;
        this.wiring = wiring;
        this.items = items;
        this.metrics = metrics;
    }

    /**
     * After a decision (the state is decided): starts compensating when the policy asks for it and the status is
     * {@code FAILED} or {@code CANCELLED}, compensating every item counted as succeeded so far.
     */
    void onDecision(String batchId, BatchState state, long nowMs) {
        if (state.compensating() || !state.definition().policy().compensates(state.decidedStatus())) {
            return;
        }
        List<KeyValue<Long, ItemOutcome>> succeeded = new ArrayList<>();
        try (KeyValueIterator<String, ItemOutcome> range = items.range(batchId, 0)) {
            while (range.hasNext()) {
                KeyValue<String, ItemOutcome> entry = range.next();
                if (entry.value.status() == ItemStatus.SUCCEEDED && entry.value.compensatedAs() == null) {
                    succeeded.add(KeyValue.pair(ItemReader.indexOf(entry.key), entry.value));
                }
            }
        }
        String handler = succeeded.stream().map(entry -> entry.value.compensation()).filter(input -> input != null)
                .map(CompensationInput::handler).findFirst().orElse(PER_ITEM_HANDLER);
        BatchDefinition parent = state.definition();
        BatchDefinition child = new BatchDefinition(Envelopes.SCHEMA_VERSION, Compensation.batchIdOf(batchId),
                handler, null, false, BatchPolicy.ofDefaults(), parent.lane(), Instant.ofEpochMilli(nowMs));
        state.startCompensating(child);
        register(child, nowMs);
        log.info("batch {} decided {}: compensating its {} succeeded items as batch {}", batchId,
                state.decidedStatus(), succeeded.size(), child.batchId());
        for (KeyValue<Long, ItemOutcome> entry : succeeded) {
            compensate(batchId, state, entry.key, entry.value, nowMs);
        }
    }

    /** After an item's success was counted in a decided batch: compensates it if the batch is being compensated. */
    void onSuccess(String batchId, BatchState state, long index, long nowMs) {
        if (!state.compensating()) {
            return;
        }
        ItemOutcome outcome = items.get(batchId, index);
        if (outcome == null || outcome.compensatedAs() != null) {
            return;
        }
        if (state.compensationBatch().sealed()) {
            log.warn("item {} of batch {} succeeded after its compensation batch {} was sealed (a replay?); it is not"
                    + " compensated", index, batchId, state.compensationBatch().batchId());
            return;
        }
        compensate(batchId, state, index, outcome, nowMs);
    }

    /** After a decision: seals the compensation batch once the batch is settled (no item can succeed any more). */
    void sealIfSettled(BatchState state, long nowMs) {
        if (state.compensating() && !state.compensationBatch().sealed() && state.settled()) {
            register(state.sealCompensation(), nowMs);
        }
    }

    private void compensate(String batchId, BatchState state, long index, ItemOutcome outcome, long nowMs) {
        CompensationInput input = outcome.compensation();
        if (input == null) {
            log.warn("item {} of batch {} succeeded without what compensating it needs on its result (its job named"
                    + " no compensation, or a worker of an earlier release ran it); it is not compensated", index,
                    batchId);
            return;
        }
        String child = state.compensationBatch().batchId();
        long childIndex = state.nextCompensationIndex();
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, child, outcome.itemId(), childIndex, null,
                input.handler(), input.settings(), payload(batchId, index, outcome, input, false),
                JobRecord.defaultTraceId(child, childIndex), 1, Instant.ofEpochMilli(nowMs));
        byte[] value = Envelopes.encode(job);
        if (value.length > BatchResults.MAX_RECORD_BYTES) {
            value = Envelopes.encode(new JobRecord(job.schemaVersion(), child, job.itemId(), childIndex, null,
                    job.handler(), job.settings(), payload(batchId, index, outcome, input, true), job.traceId(), 1,
                    job.createdAt()));
        }
        Headers headers = new RecordHeaders();
        FanoutHeaders.putIdentity(headers, job);
        FanoutHeaders.put(headers, FanoutHeaders.COMPENSATION_OF, batchId);
        context.forward(new Record<>(utf8(input.key()), value, nowMs, headers),
                wiring.jobSinks().get(state.compensationBatch().lane()));
        items.update(new ItemKey(batchId, index), outcome.withCompensatedAs(childIndex));
        metrics.compensations().inc();
    }

    /**
     * The compensation job's payload: which item it undoes, the item's input and its output (left out, with a note
     * saying where to read it, when the job would be over the record size limit).
     */
    private static ObjectNode payload(String batchId, long index, ItemOutcome outcome, CompensationInput input,
            boolean withoutOutput) {
        ObjectNode payload = Envelopes.mapper().createObjectNode();
        payload.putObject("compensates").put("batchId", batchId).put("itemId", outcome.itemId()).put("index", index);
        if (input.payload() != null) {
            payload.set("payload", input.payload());
        } else {
            payload.put("payloadOmitted", "too large for the item's result; read it from GET /batches/" + batchId
                    + "/items/" + index + "/job");
        }
        if (withoutOutput) {
            payload.put("outputOmitted", "too large for a job record; read it from GET /batches/" + batchId
                    + "/items/" + index);
        } else {
            payload.set("output", outcome.output());
        }
        return payload;
    }

    private void register(BatchDefinition child, long nowMs) {
        Headers headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_ID, child.batchId());
        context.forward(new Record<>(utf8(child.batchId()), Envelopes.encode(child), nowMs, headers),
                wiring.batchesSink());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
