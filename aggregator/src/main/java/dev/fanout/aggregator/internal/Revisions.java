package dev.fanout.aggregator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revisions of decided batches, coalesced. A result that makes a revision due (a replay that changed the counts, or
 * the last outstanding item of a batch decided early) only marks its batch in a store of pending revisions; a
 * wall-clock punctuation every commit interval publishes one revision per marked batch, with the counts of every
 * result read by then. So the outcomes of 50 replayed dead letters, or the 1,999 cancelled items of a {@code fail_fast}
 * batch, read within one interval make one revision, not one each.
 *
 * <p>The store is changelogged like the others, and is written in the same transaction as the results that marked
 * it, so under exactly-once a revision is neither lost nor published twice when the task moves or restarts between
 * the mark and the punctuation.
 *
 * <p>A revision due to replays takes the rules' verdict over the revised counts, or the total timeout's once it has
 * passed; when neither decides yet (a {@code wait_all} batch decided early with items outstanding), it waits for the
 * next result that marks the batch again, or for the total timeout (its deadline is scheduled again). A revision due
 * only to settling keeps the latest verdict (status and reason) and publishes the final counts, marked settled.
 */
final class Revisions {

    /** Publishes a decision: see {@code AggregatorProcessor#decide}. */
    @FunctionalInterface
    interface Decider {
        void decide(String batchId, BatchState state, Verdict verdict, String note, long nowMs,
                boolean byTotalTimeout);
    }

    private static final Logger log = LoggerFactory.getLogger(Revisions.class);

    private final KeyValueStore<String, Long> pending;
    private final KeyValueStore<String, BatchState> batches;
    private final Deadlines deadlines;
    private final Decider decider;
    /** False once the store is known to be empty; true at start, so that marks made before a restart are found. */
    private boolean maybePending = true;

    Revisions(KeyValueStore<String, Long> pending, KeyValueStore<String, BatchState> batches, Deadlines deadlines,
            Decider decider) {
        this.pending = Objects.requireNonNull(pending, "pending");
        this.batches = Objects.requireNonNull(batches, "batches");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.decider = Objects.requireNonNull(decider, "decider");
    }

    /** Marks a decided batch for a revision at the next {@link #publishDue} if one is due (replays, or settling). */
    void markIfDue(String batchId, BatchState state, long nowMs) {
        if (state.isDecided() && (state.revisionDue() || state.settleDue()) && pending.get(batchId) == null) {
            pending.put(batchId, nowMs);
            maybePending = true;
        }
    }

    /** Publishes one revision for each marked batch that can be revised now, and clears the marks. */
    void publishDue(long nowMs) {
        if (!maybePending) {
            return;
        }
        List<String> marked = new ArrayList<>();
        try (KeyValueIterator<String, Long> entries = pending.all()) {
            while (entries.hasNext()) {
                KeyValue<String, Long> entry = entries.next();
                marked.add(entry.key);
            }
        }
        for (String batchId : marked) {
            pending.delete(batchId);
            BatchState state = batches.get(batchId);
            if (state != null && revise(batchId, state, nowMs)) {
                batches.put(batchId, state);
            }
        }
        maybePending = false;
    }

    /**
     * Revises a decided batch now if a revision is due and can be decided (the caller stores the state when this
     * returns true).
     *
     * @return whether a revision was published
     */
    boolean revise(String batchId, BatchState state, long nowMs) {
        if (!state.isDecided()) {
            return false;
        }
        String note = "revision " + (state.revision() + 1);
        if (state.revisionDue()) {
            Optional<Verdict> verdict = DecisionRules.evaluate(state.definition(), state.tally());
            OptionalLong deadline = Deadlines.deadlineOf(state.definition());
            boolean byTimeout = false;
            if (verdict.isEmpty() && deadline.isPresent() && deadline.getAsLong() <= nowMs) {
                verdict = Optional.of(DecisionRules.onTotalTimeout(state.definition(), state.tally()));
                byTimeout = true;
            }
            if (verdict.isEmpty()) {
                deadline.ifPresent(at -> deadlines.schedule(batchId, at));
                log.debug("batch {}: {} waits until its counts decide it", batchId, note);
                return false;
            }
            decider.decide(batchId, state, verdict.get(), note + " after dead-letter replays", nowMs, byTimeout);
            return true;
        }
        if (state.settleDue()) {
            decider.decide(batchId, state, state.verdict().orElseThrow(), note + " settles the batch: all "
                    + state.tally().finished() + " items accounted for", nowMs, false);
            return true;
        }
        return false;
    }
}
