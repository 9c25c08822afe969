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

    private BatchResults() {
    }

    /**
     * The decision record.
     *
     * @param state   the batch's state, already marked decided (its revision is the record's)
     * @param verdict what was decided and why
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
                strategy == Strategy.RACE ? winnerOutput : null);
    }
}
