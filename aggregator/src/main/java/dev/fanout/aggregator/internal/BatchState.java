package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ItemResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the aggregator knows about one batch, stored per {@code batchId}: the latest definition, the counts of distinct
 * items by their current outcome, latency and error summaries, the race winner's index, the indexes of the first
 * {@link #FAILED_SAMPLE} unsuccessful items, and the latest decision once made (as published, without the race
 * winner's output), with whether it was settled (every item accounted for) and whether a revision of it is due. Kept
 * small whatever the batch size and the item outputs:
 * per-item outcomes, the winner's output included, live in the item store. Not thread-safe: one stream task owns each
 * batch.
 */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE, creatorVisibility = Visibility.ANY)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class BatchState {

    /** How many unsuccessful items are remembered by index (for {@code .failed_tasks} in chained events). */
    public static final int FAILED_SAMPLE = 100;

    private BatchDefinition definition;
    private long succeeded;
    private long failed;
    private long timedOut;
    private long cancelled;
    private long deadLettered;
    private long sumItemMs;
    private Instant earliestStartedAt;
    private LatencyHistogram latency = new LatencyHistogram();
    private TopErrors errors = new TopErrors();
    private Long firstFailedIndex;
    private Long winnerIndex;
    private BatchStatus decidedStatus;
    private String verdictReason;
    private boolean settled;
    private int revision;
    private Instant decidedAt;
    private BatchResult decision;
    private List<Long> failedSample = new ArrayList<>();
    private boolean cancelSent;
    private boolean itemsRemoved;
    private boolean revisionDue;
    private BatchDefinition compensationBatch;
    private long compensated;

    /**
     * Takes a newer definition. A sealed definition is never replaced by an unsealed one (a late or replayed
     * registration must not reopen a batch).
     *
     * @return whether the definition changed
     */
    public boolean adopt(BatchDefinition newer) {
        Objects.requireNonNull(newer, "newer");
        if (definition != null && definition.sealed() && !newer.sealed()) {
            return false;
        }
        boolean changed = !newer.equals(definition);
        definition = newer;
        return changed;
    }

    /**
     * Replaces an unsuccessful item's counted outcome by the successful result of its replay: the item leaves the
     * failed, timed-out or cancelled count (and the dead-lettered count, the error summary and the failed sample),
     * then is counted as that result. Handler time only adds up: the replay's time is work done for the batch too.
     *
     * @throws IllegalStateException when {@code previous} is a success (the caller checks it, see
     *                               {@link ResultRules})
     */
    public void replace(ItemOutcome previous, long index, ItemResult replay) {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(replay, "replay");
        switch (previous.status()) {
            case SUCCEEDED -> throw new IllegalStateException("item " + index + " already succeeded; a replay only"
                    + " replaces an unsuccessful outcome");
            case FAILED -> failed--;
            case TIMED_OUT -> timedOut--;
            case CANCELLED -> cancelled--;
        }
        if (previous.deadLettered()) {
            deadLettered--;
        }
        errors.forget(previous.countedErrorType());
        failedSample.remove(Long.valueOf(index));
        if (Long.valueOf(index).equals(firstFailedIndex)) {
            firstFailedIndex = failedSample.isEmpty() ? null : failedSample.get(0);
        }
        count(replay);
    }

    /**
     * Takes a replay that failed again: its error replaces the item's earlier one in the error summary, and its
     * handler time adds up. The item counts stay as they are.
     *
     * @param previous the item's outcome before the replay
     * @param updated  the item's outcome after it ({@link ItemOutcome#withFailedReplay})
     */
    public void failedAgain(ItemOutcome previous, ItemOutcome updated, ItemResult replay) {
        if (!previous.countedErrorType().equals(updated.countedErrorType())) {
            errors.forget(previous.countedErrorType());
            errors.record(updated.countedErrorType(), updated.errorMessage());
        }
        sumItemMs = saturatedAdd(sumItemMs, replay.durationMs());
        latency.record(replay.durationMs());
    }

    /** Notes that a replay changed the counts of this decided batch, so that a new revision is due. */
    public void markRevisionDue() {
        if (!isDecided()) {
            throw new IllegalStateException("an undecided batch has no decision to revise");
        }
        revisionDue = true;
    }

    /** Counts the first result of an item; the caller has checked that it is not a duplicate. */
    public void count(ItemResult result) {
        switch (result.status()) {
            case SUCCEEDED -> succeeded++;
            case FAILED -> failed++;
            case TIMED_OUT -> timedOut++;
            case CANCELLED -> cancelled++;
        }
        if (result.status().isSuccess()) {
            if (winnerIndex == null) {
                winnerIndex = result.index();
            }
        } else {
            if (firstFailedIndex == null) {
                firstFailedIndex = result.index();
            }
            if (failedSample.size() < FAILED_SAMPLE) {
                failedSample.add(result.index());
            }
            if (result.error() != null) {
                errors.record(result.error().type(), result.error().message());
            } else {
                errors.record(result.reason().name(), "");
            }
        }
        if (result.deadLettered()) {
            deadLettered++;
        }
        sumItemMs = saturatedAdd(sumItemMs, result.durationMs());
        latency.record(result.durationMs());
        if (result.startedAt() != null
                && (earliestStartedAt == null || result.startedAt().isBefore(earliestStartedAt))) {
            earliestStartedAt = result.startedAt();
        }
    }

    /** Records a decision without a reason: see {@link #decide(Verdict, Instant)}. */
    public void decide(BatchStatus status, Instant at) {
        decide(new Verdict(status, null), at);
    }

    /**
     * Records the decision: the next revision, decided at {@code at}, settled when every item is counted. No revision
     * is due after it.
     *
     * @param verdict what the rules decided, with the rule's reason (a revision's note is not part of it)
     */
    public void decide(Verdict verdict, Instant at) {
        Objects.requireNonNull(verdict, "verdict");
        decidedStatus = verdict.status();
        verdictReason = verdict.reason();
        decidedAt = Objects.requireNonNull(at, "at");
        settled = allItemsCounted();
        revision++;
        revisionDue = false;
    }

    /** Keeps the decision as published, without the race winner's output (which stays in the item store). */
    public void recordDecision(BatchResult published) {
        Objects.requireNonNull(published, "published");
        decision = published.output() == null ? published : BatchResults.with(published, published.reason(), null);
    }

    /** Notes that a cancel signal was published for this batch (it is withdrawn when the items expire). */
    public void markCancelSent() {
        cancelSent = true;
    }

    /** Notes that the batch's items were removed after the retention period. */
    public void markItemsRemoved() {
        itemsRemoved = true;
    }

    public Tally tally() {
        return new Tally(succeeded, unsuccessful(), firstFailedIndex, winnerIndex);
    }

    public boolean isDecided() {
        return decidedStatus != null;
    }

    /** Whether a replay changed the counts since the latest decision, and the revision it calls for is not out yet. */
    public boolean revisionDue() {
        return revisionDue;
    }

    /**
     * Whether the latest decision counted every item of the batch ({@link #allItemsCounted()} when it was made): no
     * result but a replay's can change its counts any more.
     */
    public boolean settled() {
        return settled;
    }

    /**
     * Whether the batch was decided before every item was counted, and every item is counted now: a revision with the
     * final counts, marked settled, is due.
     */
    public boolean settleDue() {
        return isDecided() && !settled && allItemsCounted();
    }

    /** The latest verdict: the decided status with the rule's reason, without a revision's note; empty if undecided. */
    public Optional<Verdict> verdict() {
        return isDecided() ? Optional.of(new Verdict(decidedStatus, verdictReason)) : Optional.empty();
    }

    /** Whether the batch is sealed and has a counted outcome for as many items as its total. */
    public boolean allItemsCounted() {
        return definition != null && definition.sealed() && definition.total() != null
                && tally().finished() >= definition.total();
    }

    /** The latest definition, or {@code null} while none has been read. */
    public BatchDefinition definition() {
        return definition;
    }

    public long succeeded() {
        return succeeded;
    }

    /** Every item that did not succeed: failed, timed out or cancelled. */
    public long unsuccessful() {
        return failed + timedOut + cancelled;
    }

    public long timedOut() {
        return timedOut;
    }

    public long cancelled() {
        return cancelled;
    }

    public long deadLettered() {
        return deadLettered;
    }

    public long sumItemMs() {
        return sumItemMs;
    }

    /** The earliest {@code startedAt} of any counted item, or {@code null}. */
    public Instant earliestStartedAt() {
        return earliestStartedAt;
    }

    public LatencyHistogram latency() {
        return latency;
    }

    public TopErrors errors() {
        return errors;
    }

    /** The index of the first item counted as successful (the race winner), or {@code null}. */
    public Long winnerIndex() {
        return winnerIndex;
    }

    /** The decided status, or {@code null} while undecided. */
    public BatchStatus decidedStatus() {
        return decidedStatus;
    }

    /** When the latest decision was made, or {@code null} while undecided. */
    public Instant decidedAt() {
        return decidedAt;
    }

    /** 0 while undecided, then the revision of the latest decision. */
    public int revision() {
        return revision;
    }

    /** The latest decision as published, without the race winner's output; {@code null} while undecided. */
    public BatchResult decision() {
        return decision;
    }

    /** Indexes of the first {@link #FAILED_SAMPLE} unsuccessful items, in the order they were counted. */
    public List<Long> failedSample() {
        return List.copyOf(failedSample);
    }

    public boolean cancelSent() {
        return cancelSent;
    }

    public boolean itemsRemoved() {
        return itemsRemoved;
    }

    /**
     * Starts compensating this batch: its compensation batch, registered unsealed, gets one job per succeeded item
     * from now on ({@link #nextCompensationIndex()}).
     */
    public void startCompensating(BatchDefinition child) {
        if (compensationBatch != null) {
            throw new IllegalStateException("batch " + child.batchId() + " is registered already");
        }
        compensationBatch = Objects.requireNonNull(child, "child");
    }

    /** Whether this batch is being (or was) compensated. */
    public boolean compensating() {
        return compensationBatch != null;
    }

    /** The compensation batch's definition as last published (sealed once this batch settled), or {@code null}. */
    public BatchDefinition compensationBatch() {
        return compensationBatch;
    }

    /** Takes the index of the next compensation job: 0, 1, 2, … */
    public long nextCompensationIndex() {
        if (compensationBatch == null || compensationBatch.sealed()) {
            throw new IllegalStateException("no open compensation batch");
        }
        return compensated++;
    }

    /** Compensation jobs published so far. */
    public long compensated() {
        return compensated;
    }

    /** Seals the compensation batch with the jobs published: no more come. */
    public BatchDefinition sealCompensation() {
        compensationBatch = compensationBatch.seal(compensated);
        return compensationBatch;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
