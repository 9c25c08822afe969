package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The aggregator's HTTP results API: its constants and the JSON bodies it answers with. Every response carries the
 * headers {@value #VERSION_HEADER}: {@value #VERSION} and {@value #TOPIC_PREFIX_HEADER}; errors are a
 * {@link Problem}.
 *
 * <pre>
 * GET /batches?limit=&amp;after=                       BatchPage, ordered by batch id
 * GET /batches/{id}                                  BatchView, with the decision as published
 * GET /batches/{id}/items?status=&amp;limit=&amp;after=      ItemPage, ordered by index
 * GET /batches/{id}/items/{itemId or index}          ItemView
 * GET /batches/{id}/items/{itemId or index}/job      JobView: the job record the item ran from (its payload)
 * GET /batches/{id}/timeline?max=&since=             Timeline: every item's queued and running time, and a summary
 * </pre>
 */
public final class ResultsApi {

    /** The port an aggregator serves on unless told otherwise, and where {@code fanout status} looks. */
    public static final int DEFAULT_PORT = 7070;
    public static final String VERSION_HEADER = "Fanout-Api";
    public static final String VERSION = "results/1";
    /** On every response: the topic prefix of the deployment the aggregator serves (e.g. {@code fanout.}). */
    public static final String TOPIC_PREFIX_HEADER = "Fanout-Topic-Prefix";
    /** Set on a request one aggregator instance forwards to the one that owns the batch. */
    public static final String FORWARDED_HEADER = "Fanout-Forwarded";
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    private ResultsApi() {
    }

    /**
     * What the aggregator knows about one batch now.
     *
     * @param decided      whether the batch has a decision ({@code status} and {@code decision} are then present)
     * @param strategy     the policy's strategy; {@code null} while no definition has been read
     * @param sealed       whether every item has been published; {@code null} while no definition has been read
     * @param total        the sealed total, or {@code null}
     * @param finished     items counted so far (results after the decision included)
     * @param failed       items that did not succeed (failed, timed out or cancelled), as in {@link BatchResult}
     * @param minSuccessRate the policy's {@code minSuccessRate}; {@code null} while no definition has been read
     * @param itemsRemoved the batch's items were removed from the item store after the retention period
     * @param decision     the decision as published on the batch-results topic; absent in lists
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchView(
            String batchId,
            boolean decided,
            BatchStatus status,
            Strategy strategy,
            Double minSuccessRate,
            Boolean sealed,
            Long total,
            long finished,
            long succeeded,
            long failed,
            long timedOut,
            long cancelled,
            long deadLettered,
            Instant createdAt,
            Instant decidedAt,
            boolean itemsRemoved,
            BatchResult decision) {

        public BatchView {
            Envelopes.require(batchId, "batchId");
        }

        /** This view without its decision record (as listed by {@code GET /batches}). */
        public BatchView withoutDecision() {
            return new BatchView(batchId, decided, status, strategy, minSuccessRate, sealed, total, finished, succeeded, failed,
                    timedOut, cancelled, deadLettered, createdAt, decidedAt, itemsRemoved, null);
        }
    }

    /**
     * One page of batches, by batch id.
     *
     * @param next pass as {@code after} for the next page; absent on the last page
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchPage(List<BatchView> batches, String next) {

        public BatchPage {
            batches = List.copyOf(Objects.requireNonNull(batches, "batches"));
        }
    }

    /**
     * One item's counted outcome: the first result the aggregator read for it, or the successful result of its
     * replay.
     *
     * @param output     the handler's output (the {@code .tasks.<id>.output} of workflow engines), on success
     * @param replayOf   the dead letter ({@code <topic>/<partition>/<offset>}) whose replay gave this result;
     *                   {@code null} when the item was never replayed
     * @param lateOutput a {@code TIMED_OUT} item's output from a handler that finished after its timeout
     *                   ({@code onTimeout: continue}); {@code null} when there is none
     * @param lateError  the error of such a handler that failed after its timeout; {@code null} when there is none
     * @param job        where its job was first read ({@code <topic>/<partition>/<offset>}); {@code null} when unknown
     * @param queuedAt   when that job was published; {@code null} when unknown
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ItemView(
            String batchId,
            String itemId,
            long index,
            ItemStatus status,
            FailureReason reason,
            ItemError error,
            JsonNode output,
            Integer attempts,
            Instant startedAt,
            Instant finishedAt,
            long durationMs,
            String workerId,
            boolean deadLettered,
            String replayOf,
            JsonNode lateOutput,
            ItemError lateError,
            String job,
            Instant queuedAt) {

        public ItemView {
            Envelopes.require(batchId, "batchId");
            Envelopes.require(itemId, "itemId");
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * One page of a batch's items, by index.
     *
     * @param next pass as {@code after} for the next page; absent when the batch has no more items to scan
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ItemPage(String batchId, List<ItemView> items, Long next) {

        public ItemPage {
            Envelopes.require(batchId, "batchId");
            items = List.copyOf(Objects.requireNonNull(items, "items"));
        }
    }

    /** How many items a timeline holds at most by default (every n-th item beyond). */
    public static final int TIMELINE_MAX = 100_000;

    /**
     * Every item's execution, for the dashboard's timeline, with a summary of the batch so far.
     *
     * @param origin  the time the offsets in {@code bars} count from: the batch's creation, else its first item's
     * @param items   items counted so far
     * @param stride  1 when every item is in {@code bars}; n when only those whose index is a multiple of n are (the
     *                batch has more than {@code max} items)
     * @param workers the workers that ran the items; a bar names one by its position here
     * @param bars    one per item: {@code [index, queuedMs, startMs, endMs, workerIndex, status, attempts]}, times in
     *                ms after {@code origin} ({@code -1} when unknown), {@code status} the ordinal of
     *                {@link ItemStatus}, {@code workerIndex} {@code -1} when unknown
     * @param summary latency percentiles, speed-up, top errors and dead letters by reason over all items counted
     * @param cursor  pass it as {@code since} on the next request to get only the bars added meanwhile
     * @param incremental whether {@code bars} are only those added since the {@code since} cursor given (append them
     *                to the ones already held); false when they are all of them (the cursor no longer fitted)
     */
    public record Timeline(String batchId, Instant origin, long items, int stride, List<String> workers,
            List<long[]> bars, TimelineSummary summary, String cursor, boolean incremental) {

        public Timeline {
            Envelopes.require(batchId, "batchId");
            workers = List.copyOf(Objects.requireNonNull(workers, "workers"));
            bars = List.copyOf(Objects.requireNonNull(bars, "bars"));
            Objects.requireNonNull(summary, "summary");
        }
    }

    /**
     * A batch's figures so far, from its items.
     *
     * @param speedup        the sum of the items' handler time over the wall time from the first start to the last
     *                       finish (how many items ran at once, on average); 0 before any finished
     * @param errors         the most frequent error types among unsuccessful items, most frequent first
     * @param deadLetters    dead-lettered items by failure reason
     */
    public record TimelineSummary(long latencyP50Ms, long latencyP95Ms, long latencyP99Ms, long latencyMaxMs,
            long sumItemMs, long wallMs, double speedup, List<BatchResult.ErrorCount> errors,
            Map<FailureReason, Long> deadLetters) {

        public TimelineSummary {
            errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
            deadLetters = Map.copyOf(Objects.requireNonNull(deadLetters, "deadLetters"));
        }
    }

    /**
     * The job record an item ran from, as read back from its lane topic.
     *
     * @param job     {@code <topic>/<partition>/<offset>}
     * @param payload the item's payload
     * @param record  the whole job record as published
     */
    public record JobView(String batchId, String itemId, long index, String job, JsonNode payload, JsonNode record) {
    }

    /** An error answer: the HTTP status and one line saying what is wrong and what to do. */
    public record Problem(int status, String error) {
    }

    /** The {@code status} filter of {@code GET /batches/{id}/items}. */
    public enum ItemFilter {
        /** Items that succeeded. */
        SUCCEEDED,
        /** Items that did not succeed: failed, timed out or cancelled (the batch's {@code failed} count). */
        FAILED,
        TIMED_OUT,
        CANCELLED;

        public boolean matches(ItemStatus status) {
            return switch (this) {
                case SUCCEEDED -> status == ItemStatus.SUCCEEDED;
                case FAILED -> status != ItemStatus.SUCCEEDED;
                case TIMED_OUT -> status == ItemStatus.TIMED_OUT;
                case CANCELLED -> status == ItemStatus.CANCELLED;
            };
        }

        @JsonValue
        public String id() {
            return Names.id(this);
        }

        @JsonCreator
        public static ItemFilter of(String text) {
            return Names.parse(ItemFilter.class, text, "status");
        }
    }
}
