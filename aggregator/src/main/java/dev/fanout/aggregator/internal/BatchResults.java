package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Strategy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Builds the {@link BatchResult} of a decided batch from its state. */
public final class BatchResults {

    /** No record the aggregator writes is larger than this (the broker's default limit is 1 MiB). */
    public static final int MAX_RECORD_BYTES = 1_000_000;

    private BatchResults() {
    }

    /**
     * The result as it can be published: unchanged when it encodes within {@code maxBytes}, else without the race
     * winner's output (which stays in the item store), with a reason saying where to find it.
     *
     * @param winnerIndex the race winner's index, or {@code null}
     */
    public static BatchResult fit(BatchResult result, int maxBytes, Long winnerIndex) {
        int size = Envelopes.encode(result).length;
        if (size <= maxBytes || result.output() == null) {
            return result;
        }
        String where = "the winner's output (" + result.output().toString().length() + " bytes) is too large for the"
                + " batch result; read it from GET /batches/" + result.batchId() + "/items/" + winnerIndex;
        return with(result, result.reason() == null ? where : result.reason() + "; " + where, null);
    }

    /** The same result with another reason and output. */
    public static BatchResult with(BatchResult r, String reason, JsonNode output) {
        return new BatchResult(r.schemaVersion(), r.batchId(), r.status(), r.revision(), r.strategy(), r.total(),
                r.succeeded(), r.failed(), r.timedOut(), r.cancelled(), r.deadLettered(), r.successRate(),
                r.startedAt(), r.decidedAt(), r.wallMs(), r.sumItemMs(), r.speedup(), r.latencyP50Ms(),
                r.latencyP95Ms(), r.latencyP99Ms(), reason, r.errors(), output, r.settled(), r.compensationBatchId(),
                r.compensated());
    }

    /**
     * The decision record.
     *
     * @param state   the batch's state, already marked decided (its revision and whether it is settled are the
     *                record's)
     * @param verdict what was decided and why (the reason as published, a revision's note included)
     * @param decidedAt the aggregator's wall clock at the decision
     * @param winnerOutput the race winner's output, or {@code null}; ignored for other strategies
     */
    public static BatchResult of(String batchId, BatchState state, Verdict verdict, Instant decidedAt,
            JsonNode winnerOutput) {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(decidedAt, "decidedAt");
        BatchDefinition definition = Objects.requireNonNull(state.definition(), "a decided batch has a definition");
        long total = definition.total() != null ? definition.total() : state.tally().finished();
        Instant startedAt = definition.createdAt();
        if (state.earliestStartedAt() != null && state.earliestStartedAt().isBefore(startedAt)) {
            startedAt = state.earliestStartedAt();
        }
        long wallMs = Math.max(0, Duration.between(startedAt, decidedAt).toMillis());
        Strategy strategy = definition.policy().strategy();
        return new BatchResult(
                Envelopes.SCHEMA_VERSION,
                batchId,
                verdict.status(),
                state.revision(),
                strategy,
                total,
                state.succeeded(),
                state.unsuccessful(),
                state.timedOut(),
                state.cancelled(),
                state.deadLettered(),
                DecisionRules.successRate(state.succeeded(), total),
                startedAt,
                decidedAt,
                wallMs,
                state.sumItemMs(),
                (double) state.sumItemMs() / Math.max(1, wallMs),
                state.latency().percentile(0.50),
                state.latency().percentile(0.95),
                state.latency().percentile(0.99),
                verdict.reason(),
                state.errors().top(),
                strategy == Strategy.RACE ? winnerOutput : null,
                state.settled(),
                state.compensating() ? state.compensationBatch().batchId() : null,
                state.compensating() ? state.compensated() : null);
    }
}
