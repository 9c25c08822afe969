package dev.fanout.dispatcher.audit;

import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The audit's rules over records already read, in topic order: the first result of an item is its counted outcome
 * (a replay's success replaces a failure once), as the aggregator counts them.
 */
final class AuditCheck {

    private static final int EXAMPLES = 5;

    private AuditCheck() {
    }

    static AuditReport check(String batchId, Optional<BatchDefinition> definition, List<ItemResult> results,
            List<BatchResult> decisions, List<Long> deadLetterIndexes) {
        List<String> problems = new ArrayList<>();
        Long total = definition.filter(BatchDefinition::sealed).map(BatchDefinition::total).orElse(null);
        if (definition.isEmpty()) {
            problems.add("the batch is not registered on the batches topic");
        } else if (total == null) {
            problems.add("the batch is not sealed (its total is unknown): the dispatch did not finish; run it again "
                    + "with --resume");
        }

        Map<Long, ItemResult> counted = new HashMap<>();
        Set<Long> replaced = new HashSet<>();
        long reruns = 0;
        Set<Long> outOfRange = new TreeSet<>();
        Set<Long> everDeadLettered = new HashSet<>();
        for (ItemResult result : results) {
            long index = result.index();
            if (index < 0 || total != null && index >= total) {
                outOfRange.add(index);
                continue;
            }
            if (result.deadLettered()) {
                everDeadLettered.add(index);
            }
            ItemResult before = counted.putIfAbsent(index, result);
            if (before == null) {
                continue;
            }
            if (result.replayOf() == null) {
                reruns++;
            } else if (result.status() == ItemStatus.SUCCEEDED && before.status() != ItemStatus.SUCCEEDED
                    && replaced.add(index)) {
                counted.put(index, result);
            }
        }
        if (!outOfRange.isEmpty()) {
            problems.add(outOfRange.size() + " results for items outside 0.." + (total == null ? "?" : total - 1)
                    + examples(outOfRange));
        }
        if (total != null && counted.size() < total) {
            Set<Long> missing = new TreeSet<>();
            for (long i = 0; i < total && missing.size() < EXAMPLES; i++) {
                if (!counted.containsKey(i)) {
                    missing.add(i);
                }
            }
            problems.add((total - counted.size()) + " items have no result" + examples(missing));
        }
        AuditReport.Outcomes outcomes = outcomes(counted.values());

        Set<Long> lettered = new TreeSet<>(deadLetterIndexes);
        Set<Long> shouldBeLettered = new TreeSet<>();
        counted.forEach((index, result) -> {
            if (result.deadLettered()) {
                shouldBeLettered.add(index);
            }
        });
        Set<Long> withoutLetter = new TreeSet<>(shouldBeLettered);
        withoutLetter.removeAll(lettered);
        if (!withoutLetter.isEmpty()) {
            problems.add(withoutLetter.size() + " dead-lettered items have no dead letter" + examples(withoutLetter));
        }
        Set<Long> unexpected = new TreeSet<>(lettered);
        unexpected.removeAll(everDeadLettered); // a replay's success may have replaced a dead-lettered failure
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " items have a dead letter but no result says it was dead-lettered"
                    + examples(unexpected));
        }

        int revisionOnes = (int) decisions.stream().filter(d -> d.revision() == 1).count();
        if (revisionOnes != 1) {
            problems.add(revisionOnes + " revision-1 decisions (exactly one is right)");
        }
        BatchResult compared = decisions.stream().filter(d -> Boolean.TRUE.equals(d.settled()))
                .max(Comparator.comparingInt(BatchResult::revision))
                .or(() -> decisions.stream().max(Comparator.comparingInt(BatchResult::revision))).orElse(null);
        if (compared == null) {
            problems.add("the batch has no decision on the batch-results topic");
        } else {
            if (!Boolean.TRUE.equals(compared.settled())) {
                problems.add("the batch has no settled decision yet (revision " + compared.revision()
                        + " was made before every item ended)");
            }
            compare(problems, compared, total, outcomes);
        }
        return new AuditReport(batchId, total, results.size(), outcomes, reruns, revisionOnes, compared,
                deadLetterIndexes.size(), lettered.size(), problems);
    }

    private static AuditReport.Outcomes outcomes(Iterable<ItemResult> counted) {
        long items = 0;
        long succeeded = 0;
        long failed = 0;
        long timedOut = 0;
        long cancelled = 0;
        long deadLettered = 0;
        for (ItemResult result : counted) {
            items++;
            switch (result.status()) {
                case SUCCEEDED -> succeeded++;
                case FAILED -> failed++;
                case TIMED_OUT -> timedOut++;
                case CANCELLED -> cancelled++;
            }
            if (result.deadLettered()) {
                deadLettered++;
            }
        }
        return new AuditReport.Outcomes(items, succeeded, failed, timedOut, cancelled, deadLettered);
    }

    private static void compare(List<String> problems, BatchResult decision, Long total,
            AuditReport.Outcomes counted) {
        String which = "decision revision " + decision.revision();
        if (total != null && decision.total() != total) {
            problems.add(which + " has total " + decision.total() + ", the batch " + total);
        }
        expect(problems, which, "succeeded", decision.succeeded(), counted.succeeded());
        expect(problems, which, "failed", decision.failed(), counted.unsuccessful());
        expect(problems, which, "timedOut", decision.timedOut(), counted.timedOut());
        expect(problems, which, "cancelled", decision.cancelled(), counted.cancelled());
        expect(problems, which, "deadLettered", decision.deadLettered(), counted.deadLettered());
    }

    private static void expect(List<String> problems, String which, String field, long decided, long counted) {
        if (decided != counted) {
            problems.add(which + " counts " + field + " " + decided + ", the results " + counted);
        }
    }

    private static String examples(Set<Long> indexes) {
        return " (e.g. " + indexes.stream().limit(EXAMPLES).map(String::valueOf).reduce((a, b) -> a + ", " + b)
                .orElse("") + ")";
    }
}
