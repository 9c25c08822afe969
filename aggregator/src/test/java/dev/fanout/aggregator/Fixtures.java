package dev.fanout.aggregator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.Lane;
import java.time.Instant;

/** Envelopes for tests. */
public final class Fixtures {

    private Fixtures() {
    }

    public static BatchDefinition sealed(String batchId, long total, BatchPolicy policy, Instant createdAt) {
        return new BatchDefinition(Envelopes.SCHEMA_VERSION, batchId, "echo", total, true, policy, Lane.NORMAL,
                createdAt);
    }

    public static BatchDefinition open(String batchId, BatchPolicy policy, Instant createdAt) {
        return new BatchDefinition(Envelopes.SCHEMA_VERSION, batchId, "echo", null, false, policy, Lane.NORMAL,
                createdAt);
    }

    public static ItemResult success(String batchId, long index, long durationMs, Instant startedAt, JsonNode output) {
        return new ItemResult(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index, ItemStatus.SUCCEEDED, null,
                null, output, 1, startedAt, startedAt.plusMillis(durationMs), durationMs, "worker-1", false,
                "trace-" + batchId + "-" + index);
    }

    public static ItemResult success(String batchId, long index) {
        return success(batchId, index, 10, Instant.parse("2026-01-01T00:00:00Z"), null);
    }

    public static ItemResult unsuccessful(String batchId, long index, ItemStatus status, FailureReason reason,
            ItemError error, long durationMs, Instant startedAt, boolean deadLettered) {
        return new ItemResult(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index, status, reason, error, null,
                1, startedAt, startedAt.plusMillis(durationMs), durationMs, "worker-1", deadLettered,
                "trace-" + batchId + "-" + index);
    }

    /** The result of a replay of the dead letter at {@code <dlq>/0/<offset>}: same identity, attempt 1. */
    public static ItemResult replayed(ItemResult result, long offset) {
        return result.asReplayOf("t.dlq/0/" + offset);
    }

    public static ItemResult timedOut(String batchId, long index) {
        return unsuccessful(batchId, index, ItemStatus.TIMED_OUT, FailureReason.TIMEOUT,
                new ItemError("java.util.concurrent.TimeoutException", "timed out after PT1S"), 1000,
                Instant.parse("2026-01-01T00:00:00Z"), false);
    }

    /** The late supplement of a timed-out item: the handler's output, or its error when {@code output} is null. */
    public static ItemResult late(String batchId, long index, JsonNode output, ItemError error) {
        Instant startedAt = Instant.parse("2026-01-01T00:00:00Z");
        return new ItemResult(Envelopes.SCHEMA_VERSION, batchId, "item-" + index, index, ItemStatus.TIMED_OUT,
                FailureReason.TIMEOUT, error, output, 1, startedAt, startedAt.plusSeconds(5), 5000, "worker-1", false,
                "trace-" + batchId + "-" + index, null, true);
    }

    public static ItemResult failure(String batchId, long index) {
        return unsuccessful(batchId, index, ItemStatus.FAILED, FailureReason.HANDLER_ERROR,
                new ItemError("java.lang.IllegalStateException", "boom " + index), 10,
                Instant.parse("2026-01-01T00:00:00Z"), true);
    }
}
