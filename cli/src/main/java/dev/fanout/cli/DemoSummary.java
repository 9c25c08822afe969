package dev.fanout.cli;

import dev.fanout.protocol.BatchResult;
import java.util.Locale;

/**
 * What the demo reports, and its last line with {@code --json}.
 *
 * @param countsMatch succeeded + failed = total, dead-lettered = failed, and the dead-letter topic holds exactly
 *                    dead-lettered records of this batch
 */
record DemoSummary(
        String batchId,
        String status,
        long total,
        long succeeded,
        long failed,
        long deadLettered,
        long deadLetterRecords,
        long wallMs,
        long sumItemMs,
        double speedup,
        long latencyP50Ms,
        long latencyP95Ms,
        long latencyP99Ms,
        int workers,
        int concurrency,
        String bootstrapServers,
        String deadLetterTopic,
        boolean embeddedBroker,
        boolean countsMatch) {

    static DemoSummary of(BatchResult result, long deadLetterRecords, int workers, int concurrency,
            String bootstrapServers, String deadLetterTopic, boolean embeddedBroker) {
        boolean match = result.succeeded() + result.failed() == result.total()
                && result.deadLettered() == result.failed()
                && deadLetterRecords == result.deadLettered();
        return new DemoSummary(result.batchId(), result.status().name(), result.total(), result.succeeded(),
                result.failed(), result.deadLettered(), deadLetterRecords, result.wallMs(), result.sumItemMs(),
                result.speedup(), result.latencyP50Ms(), result.latencyP95Ms(), result.latencyP99Ms(), workers,
                concurrency, bootstrapServers, deadLetterTopic, embeddedBroker, match);
    }

    String text() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%nBatch %s: %s%n", batchId, status));
        text.append(String.format(Locale.ROOT, "  total           %,10d%n", total));
        text.append(String.format(Locale.ROOT, "  succeeded       %,10d%n", succeeded));
        text.append(String.format(Locale.ROOT, "  failed          %,10d%n", failed));
        text.append(String.format(Locale.ROOT, "  dead-lettered   %,10d   (%,d records of this batch on %s)%n",
                deadLettered, deadLetterRecords, deadLetterTopic));
        text.append(String.format(Locale.ROOT, "  wall time       %,10.2f s%n", wallMs / 1000.0));
        text.append(String.format(Locale.ROOT, "  item time (sum) %,10.2f s%n", sumItemMs / 1000.0));
        text.append(String.format(Locale.ROOT, "  speed-up        %,10.1f x   (%d workers x concurrency %d)%n",
                speedup, workers, concurrency));
        text.append(String.format(Locale.ROOT, "  item latency    p50 %d ms, p95 %d ms, p99 %d ms%n", latencyP50Ms,
                latencyP95Ms, latencyP99Ms));
        text.append(String.format(Locale.ROOT, "  counts          %s%n", countsMatch
                ? "add up: succeeded + failed = total, every failure is on the dead-letter topic"
                : "DO NOT ADD UP"));
        if (embeddedBroker) {
            text.append(String.format(Locale.ROOT, "  dead letters    were on topic %s of the embedded broker at %s,"
                    + " removed on exit;%n                  run against your own Kafka (--bootstrap-servers) to keep"
                    + " them%n", deadLetterTopic, bootstrapServers));
        } else {
            text.append(String.format(Locale.ROOT, "  dead letters    topic %s on %s, header fanout.batch-id=%s%n",
                    deadLetterTopic, bootstrapServers, batchId));
        }
        return text.toString();
    }
}
