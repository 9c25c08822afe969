package dev.fanout.dispatcher.audit;

import dev.fanout.protocol.BatchResult;
import java.util.List;
import java.util.Objects;

/**
 * What {@link BatchAudit} found about one batch, and the problems that keep it from being accounted for. A batch is
 * accounted for when it is sealed, every item {@code 0..total-1} has a counted outcome, exactly one revision-1
 * decision exists, the settled decision's counts equal the counted outcomes, every item counted as dead-lettered has a
 * dead letter, and every dead letter belongs to an item a result says was dead-lettered.
 *
 * @param batchId            the batch
 * @param total              its sealed total, or {@code null} when it is not registered or not sealed
 * @param resultRecords      result records for the batch on the results topic
 * @param counted            the counted outcome of every item, as the aggregator counts them
 * @param rerunResults       result records beyond the first per item, not from a replay (the runs a crash repeated)
 * @param revisionOnes       how many revision-1 decisions the batch has (exactly one is right)
 * @param decision           the decision compared with the counts: the settled one, else the latest
 * @param deadLetterRecords  dead-letter records for the batch
 * @param deadLetteredItems  distinct items with a dead letter
 * @param problems           why the batch is not accounted for; empty when it is
 */
public record AuditReport(
        String batchId,
        Long total,
        long resultRecords,
        Outcomes counted,
        long rerunResults,
        int revisionOnes,
        BatchResult decision,
        long deadLetterRecords,
        long deadLetteredItems,
        List<String> problems) {

    /** The word scripts and tests look for. */
    public static final String ACCOUNTED = "ALL-ITEMS-ACCOUNTED";
    public static final String NOT_ACCOUNTED = "NOT-ACCOUNTED";

    public AuditReport {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(counted, "counted");
        problems = List.copyOf(problems);
    }

    public boolean accounted() {
        return problems.isEmpty();
    }

    /** Dead-letter records beyond one per item: a crash repeated a run that had already dead-lettered it. */
    public long duplicateDeadLetters() {
        return deadLetterRecords - deadLetteredItems;
    }

    /** One line: the verdict, the counts, and the problems when there are any. */
    public String summary() {
        StringBuilder line = new StringBuilder(accounted() ? ACCOUNTED : NOT_ACCOUNTED).append(" batch ")
                .append(batchId).append(": ").append(total == null ? "?" : total).append(" items, ")
                .append(counted.succeeded()).append(" succeeded, ").append(counted.unsuccessful())
                .append(" failed (").append(deadLetteredItems).append(" dead-lettered), ").append(revisionOnes)
                .append(revisionOnes == 1 ? " revision-1 decision" : " revision-1 decisions");
        if (decision != null) {
            line.append(" (").append(decision.status()).append(")");
        }
        line.append(", ").append(rerunResults).append(" rerun results, ").append(duplicateDeadLetters())
                .append(" duplicate dead letters");
        if (!accounted()) {
            line.append("; ").append(String.join("; ", problems));
        }
        return line.toString();
    }

    /**
     * Counted outcomes by status.
     *
     * @param items        items with a counted outcome
     * @param deadLettered counted outcomes that were dead-lettered
     */
    public record Outcomes(long items, long succeeded, long failed, long timedOut, long cancelled,
            long deadLettered) {

        /** Failed, timed out or cancelled: what a decision's {@code failed} counts. */
        public long unsuccessful() {
            return failed + timedOut + cancelled;
        }
    }
}
