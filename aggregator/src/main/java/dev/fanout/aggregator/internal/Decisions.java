package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.aggregator.AggregatorMetrics;
import dev.fanout.aggregator.ChainTopics;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ChainTarget;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Strategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what a decision produces, in the same transaction as the state change: the batch result, a cancel signal
 * when the rest of the batch is pointless ({@link DecisionRules#cancelsTheRest}), and the event of the policy's
 * {@code onSuccess} or {@code onError} target.
 *
 * <p>A revision (a decision after the first: replays changed the counts, or the batch settled) publishes its batch
 * result with the next revision number and a reason that says why it was revised. It never sends a cancel signal (the
 * first decision dealt with the rest of the batch), and it fires a chaining target only when its status crosses to
 * the other target than the revision before ({@code onError} to {@code onSuccess}, typically {@code FAILED} to
 * {@code SUCCEEDED}): the step a target starts has already been started for this batch otherwise. A settling revision
 * keeps the status, so it never fires one. A decision {@code FAILED} or {@code CANCELLED} under
 * {@code onFailure: compensate} starts the batch's compensation ({@link Compensations}) before its record is built, so
 * the record counts the jobs published ({@code compensated}); a settled one seals the compensation batch.
 */
final class Decisions {

    private static final Logger log = LoggerFactory.getLogger(Decisions.class);

    private final ProcessorContext<byte[], byte[]> context;
    private final AggregatorProcessor.Wiring wiring;
    private final ItemStore items;
    private final ChainTopics chainTopics;
    private final Compensations compensations;
    private final AggregatorMetrics metrics;

    Decisions(ProcessorContext<byte[], byte[]> context, AggregatorProcessor.Wiring wiring, ItemStore items,
            ChainTopics chainTopics, Compensations compensations, AggregatorMetrics metrics) {
        this.context = context;
        this.wiring = wiring;
        this.items = items;
        this.chainTopics = chainTopics;
        this.compensations = compensations;
        this.metrics = metrics;
    }

    /**
     * Decides the batch (the caller stores its state afterwards) and publishes what follows.
     *
     * @param verdict        what the rules decided, with the rule's reason
     * @param note           for a revision, what it is (appended to the published reason); {@code null} for the
     *                       first decision
     * @param byTotalTimeout whether the total timeout decided it
     */
    BatchResult publish(String batchId, BatchState state, Verdict verdict, String note, long nowMs,
            boolean byTotalTimeout) {
        Instant decidedAt = Instant.ofEpochMilli(nowMs);
        BatchStatus previous = state.decidedStatus();
        boolean wasSettled = state.settled();
        state.decide(verdict, decidedAt);
        compensations.onDecision(batchId, state, nowMs);
        Verdict published = note == null ? verdict
                : new Verdict(verdict.status(), (verdict.reason() == null ? "" : verdict.reason() + "; ") + note);
        BatchResult result = BatchResults.fit(
                BatchResults.of(batchId, state, published, decidedAt, winnerOutput(batchId, state)),
                BatchResults.MAX_RECORD_BYTES, state.winnerIndex());
        state.recordDecision(result);
        compensations.sealIfSettled(state, nowMs);
        Headers headers = headers(batchId);
        FanoutHeaders.put(headers, FanoutHeaders.SCHEMA_VERSION, Envelopes.SCHEMA_VERSION);
        context.forward(new Record<>(utf8(batchId), Envelopes.encode(result), nowMs, headers),
                wiring.batchResultsSink());
        // readable once the transaction commits: ask for the commit now rather than at the next commit interval
        // (a decision per batch, revisions at most one per interval, so this adds few commits)
        context.commit();
        metrics.batchesDecided().inc();
        if (previous == null) {
            metrics.decided(result.status(), Duration.between(state.definition().createdAt(), decidedAt),
                    result.speedup());
        }
        if (result.settled() && !wasSettled) {
            metrics.batchesSettled().inc();
        }
        log.debug("batch {} decided {} (revision {}{}): {}", batchId, result.status(), result.revision(),
                result.settled() ? ", settled" : "", result.reason());
        if (previous == null && DecisionRules.cancelsTheRest(state.definition(), state.tally(), byTotalTimeout)) {
            cancel(batchId, result, decidedAt, nowMs);
            state.markCancelSent();
        }
        ChainTarget target = state.definition().policy().chainTargetFor(result.status());
        if (target != null && (previous == null || previous.isSuccessful() != result.status().isSuccessful())) {
            chain(batchId, target, result, state, nowMs);
        }
        return result;
    }

    /** Withdraws a batch's cancel signal (a tombstone on the compacted control topic) once it no longer matters. */
    void withdrawCancel(String batchId, long nowMs) {
        context.forward(new Record<>(utf8(batchId), null, nowMs, headers(batchId)), wiring.controlSink());
    }

    private void cancel(String batchId, BatchResult result, Instant at, long nowMs) {
        String reason = "batch decided " + result.status() + (result.reason() == null ? "" : ": " + result.reason());
        ControlSignal signal = new ControlSignal(Envelopes.SCHEMA_VERSION, batchId, ControlSignal.Action.CANCEL,
                reason, at);
        context.forward(new Record<>(utf8(batchId), Envelopes.encode(signal), nowMs, headers(batchId)),
                wiring.controlSink());
        metrics.cancels().inc();
        log.debug("batch {}: cancel signal published ({})", batchId, reason);
    }

    private void chain(String batchId, ChainTarget target, BatchResult result, BatchState state, long nowMs) {
        String trigger = result.status().isSuccessful() ? "onSuccess" : "onError";
        JsonNode event = ChainEvents.render(target, withWinnerOutput(result, batchId, state), state, items);
        byte[] value = Envelopes.encode(event);
        if (value.length > BatchResults.MAX_RECORD_BYTES) {
            metrics.chainFailures().inc();
            log.error("batch {}: the {} event for topic {} is {} bytes, over the {}-byte limit; it is not published"
                    + " (refer to less in its templates)", batchId, trigger, target.topic(), value.length,
                    BatchResults.MAX_RECORD_BYTES);
            return;
        }
        if (!chainTopics.ensure(target.topic())) {
            metrics.chainFailures().inc();
            return;
        }
        Headers headers = headers(batchId);
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_STATUS, result.status().name());
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_REVISION, result.revision());
        FanoutHeaders.put(headers, FanoutHeaders.CHAIN_TRIGGER, trigger);
        FanoutHeaders.put(headers, FanoutHeaders.CHAIN_TOPIC, target.topic());
        context.forward(new Record<>(utf8(batchId), value, nowMs, headers), wiring.chainSink());
        metrics.chainEvents().inc();
        log.debug("batch {}: {} event published to {}", batchId, trigger, target.topic());
    }

    /** The result with the race winner's output even when it was left out of the published record for its size. */
    private BatchResult withWinnerOutput(BatchResult result, String batchId, BatchState state) {
        JsonNode output = winnerOutput(batchId, state);
        if (result.output() != null || output == null) {
            return result;
        }
        return BatchResults.with(result, result.reason(), output);
    }

    /** The race winner's output, from the item store (batch state stays small whatever the outputs). */
    private JsonNode winnerOutput(String batchId, BatchState state) {
        if (state.winnerIndex() == null || state.definition().policy().strategy() != Strategy.RACE) {
            return null;
        }
        ItemOutcome winner = items.get(batchId, state.winnerIndex());
        return winner == null ? null : winner.output();
    }

    private static Headers headers(String batchId) {
        Headers headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_ID, batchId);
        return headers;
    }

    private static byte[] utf8(String text) {
        return Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
    }
}
