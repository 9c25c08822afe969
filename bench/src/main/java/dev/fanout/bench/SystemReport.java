package dev.fanout.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.ToDoubleFunction;

/**
 * The text {@code scripts/bench.sh system} prints: a few lines per round as it goes, then one table with the peer
 * beside Fanout (the median round of each scenario) and the decision latencies of the small batches.
 */
final class SystemReport {

    /**
     * A throughput scenario's round: Fanout's batch and, on the same records, the peer and (no-op items only) Kafka's
     * {@code ProducerPerformance}.
     *
     * @param peer                null when the peer was not run ({@code --peer off})
     * @param producerPerformance null unless the items are no-ops
     */
    record Round(FanoutRound fanout, ParallelConsumerPeer.Outcome peer, ProducerPerformanceRun producerPerformance) {
    }

    /**
     * One run of {@code ProducerPerformance}: records/s, MB/s, its average latency, the record size it sent, and
     * the CPU of its JVM (start included) and of the broker meanwhile.
     */
    record ProducerPerformanceRun(double recordsPerSecond, double mbPerSecond, double avgLatencyMs, long recordSize,
            double cpuSeconds, double brokerCpuSeconds) {
    }

    private SystemReport() {
    }

    static void fanoutRound(int round, Scenario scenario, int workers, FanoutRound fanout) {
        StageTimeline t = fanout.timeline();
        double processing = fanout.items() * 1000.0 / Math.max(1, t.resultsLastMs() - t.jobsFirstMs());
        System.out.printf(Locale.ROOT, "round %d Fanout: %,.0f items/s registration to decision%s; %,.0f items/s first"
                + " job to last result; %s%n", round, fanout.rate(), ofLimit(fanout.rate(), scenario, workers),
                processing, fanout.decision().status());
        System.out.printf(Locale.ROOT, "  timeline, ms after registration: jobs published %s..%s, results %s..%s"
                + " (peak %,d/s), aggregator had counted them all %s, decision made %s and readable %s (%,d ms after"
                + " the last result)%n",
                t.at(t.jobsFirstMs()), t.at(t.jobsLastMs()), t.at(t.resultsFirstMs()), t.at(t.resultsLastMs()),
                t.peakPerSecond(), fanout.allCountedMs() < 0 ? "(not seen)" : t.at(fanout.allCountedMs()),
                t.at(t.decidedMs()), t.at(t.endMs()), t.decisionLagMs());
        firstSeconds(t, "registration");
        System.out.printf(Locale.ROOT, "  item time from the decision: p50 %,d ms, p99 %,d ms (asked %d ms)%n",
                fanout.decision().latencyP50Ms(), fanout.decision().latencyP99Ms(), scenario.latencyMs());
        System.out.printf(Locale.ROOT, "  dispatch command: %,d ms in all; registration %,d ms after it started (JVM"
                + " start, reading the items, checking the handler), exit %,d ms after the decision; it used %.2f"
                + " cores on average%n", fanout.commandMs(), t.startMs() - fanout.commandStartMs(),
                fanout.commandStartMs() + fanout.commandMs() - t.endMs(),
                fanout.cpuSeconds().get("dispatch") * 1000 / fanout.commandMs());
        System.out.println("  CPU s per 1,000 items: " + cpu(fanout.cpuSeconds(), fanout.items()));
        System.out.println("  heap MB, peak before GC / most after GC: " + heap(fanout.heap()));
    }

    static void peerRound(int round, Scenario scenario, int workers, ParallelConsumerPeer.Outcome peer, long items) {
        StageTimeline t = peer.timeline();
        System.out.printf(Locale.ROOT, "round %d peer (Parallel Consumer): %,.0f items/s first job to last result%s%n",
                round, t.rate(items), ofLimit(t.rate(items), scenario, workers));
        System.out.printf(Locale.ROOT, "  timeline, ms after the first job: jobs published %s..%s, results %s..%s"
                + " (peak %,d/s)%n", t.at(t.jobsFirstMs()), t.at(t.jobsLastMs()), t.at(t.resultsFirstMs()),
                t.at(t.resultsLastMs()), t.peakPerSecond());
        firstSeconds(t, "the first job");
        System.out.println("  CPU s per 1,000 items: " + cpu(peer.cpuSeconds(), items));
        System.out.println("  heap MB, peak before GC / most after GC: " + heap(peer.heap()));
    }

    /** Jobs published and results written in each of the first seconds: does publishing follow the results? */
    static void firstSeconds(StageTimeline t, String from) {
        System.out.printf(Locale.ROOT, "  per second over the first %d s after %s: jobs published %s; results %s%n",
                StageTimeline.FIRST_SECONDS, from, StageTimeline.perSecond(t.jobsPerSecond()),
                StageTimeline.perSecond(t.resultsPerSecond()));
    }

    static void producerPerformance(int round, ProducerPerformanceRun pp, long items) {
        System.out.printf(Locale.ROOT, "round %d ProducerPerformance: %,.0f records/s (%d-byte records, %.1f MB/s, avg"
                + " latency %.0f ms); CPU s per 1,000 records: broker %.3f, ProducerPerformance %.3f (JVM start"
                + " included)%n", round, pp.recordsPerSecond(), pp.recordSize(), pp.mbPerSecond(), pp.avgLatencyMs(),
                pp.brokerCpuSeconds() * 1000 / items, pp.cpuSeconds() * 1000 / items);
    }

    static void latencyBatches(int round, List<FanoutRound> batches) {
        for (FanoutRound b : batches) {
            StageTimeline t = b.timeline();
            System.out.printf(Locale.ROOT, "  %s: registered %,d ms after the command started; ms after registration:"
                    + " jobs +%,d..+%,d, results +%,d..+%,d, decision made +%,d, readable +%,d%n", b.batchId(),
                    t.startMs() - b.commandStartMs(), t.jobsFirstMs() - t.startMs(), t.jobsLastMs() - t.startMs(),
                    t.resultsFirstMs() - t.startMs(), t.resultsLastMs() - t.startMs(), t.decidedMs() - t.startMs(),
                    t.endMs() - t.startMs());
        }
        System.out.printf(Locale.ROOT, "round %d: %d batches; decision readable after registration p50 %,.0f ms,"
                + " p99 %,.0f ms; after the last result p50 %,.0f ms, p99 %,.0f ms; dispatch command p50 %,.0f ms%n", round,
                batches.size(), percentile(batches, b -> b.timeline().endMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().endMs() - b.timeline().startMs(), 99),
                percentile(batches, b -> b.timeline().decisionLagMs(), 50),
                percentile(batches, b -> b.timeline().decisionLagMs(), 99),
                percentile(batches, FanoutRound::commandMs, 50));
        System.out.printf(Locale.ROOT, "  p50 timeline, ms after registration: jobs published +%,.0f..+%,.0f, results"
                + " +%,.0f..+%,.0f, decision made +%,.0f, readable +%,.0f; the command registers the batch %,.0f ms"
                + " after it starts and exits %,.0f ms after the decision%n",
                percentile(batches, b -> b.timeline().jobsFirstMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().jobsLastMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().resultsFirstMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().resultsLastMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().decidedMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().endMs() - b.timeline().startMs(), 50),
                percentile(batches, b -> b.timeline().startMs() - b.commandStartMs(), 50),
                percentile(batches, b -> b.commandStartMs() + b.commandMs() - b.timeline().endMs(), 50));
    }

    /**
     * The closing table: per throughput scenario the median of its rounds, figure by figure, then the latency
     * scenario's percentiles over all its batches.
     */
    static void summary(int workers, Map<Scenario, List<Round>> throughput, Map<Scenario, List<FanoutRound>> latency) {
        System.out.println();
        if (throughput.isEmpty()) {
            latencySummary(latency);
            return;
        }
        System.out.println("The median of the warm rounds (round 1, when every JVM has just started, is left out"
                + " when there are more), figure by figure:");
        System.out.println("| scenario | Fanout items/s, registration to decision | of Little's law | first job to last"
                + " result | decision after the last result | Fanout CPU s / 1,000 items | peer (Parallel Consumer)"
                + " items/s | of Little's law | peer CPU s / 1,000 items | ProducerPerformance records/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        throughput.forEach((scenario, all) -> {
            List<Round> rounds = all.size() > 1 ? all.subList(1, all.size()) : all;
            List<FanoutRound> fanout = rounds.stream().map(Round::fanout).toList();
            double rate = median(fanout, FanoutRound::rate);
            double processing = median(fanout, f -> f.items() * 1000.0
                    / Math.max(1, f.timeline().resultsLastMs() - f.timeline().jobsFirstMs()));
            double lag = median(fanout, f -> f.timeline().decisionLagMs());
            double cpu = median(fanout, f -> total(f.cpuSeconds()) * 1000 / f.items());
            List<Round> withPeer = rounds.stream().filter(r -> r.peer() != null).toList();
            String peer = withPeer.isEmpty() ? "| - | - | - " : String.format(Locale.ROOT, "| %,.0f | %s | %.3f ",
                    median(withPeer, r -> r.peer().timeline().rate(r.fanout().items())),
                    percent(median(withPeer, r -> r.peer().timeline().rate(r.fanout().items())), scenario, workers),
                    median(withPeer, r -> total(r.peer().cpuSeconds()) * 1000 / r.fanout().items()));
            List<Round> withPp = rounds.stream().filter(r -> r.producerPerformance() != null).toList();
            String pp = withPp.isEmpty() ? "-" : String.format(Locale.ROOT, "%,.0f",
                    median(withPp, r -> r.producerPerformance().recordsPerSecond()));
            System.out.printf(Locale.ROOT, "| %s (%,d items, concurrency %,d%s) | %,.0f | %s | %,.0f | %,.0f ms | %.3f"
                    + " %s| %s |%n", scenario.name(), scenario.items(), scenario.concurrency(),
                    scenario.latencyMs() == 0 ? ", no-op" : ", " + scenario.latencyMs() + " ms", rate,
                    percent(rate, scenario, workers), processing, lag, cpu, peer, pp);
        });
        latencySummary(latency);
    }

    /**
     * Per latency scenario, the percentiles over its warm rounds (round 1, when every JVM has just started, is left
     * out when there are more, as in the throughput summary), then the same over every batch.
     */
    private static void latencySummary(Map<Scenario, List<FanoutRound>> latency) {
        latency.forEach((scenario, all) -> {
            List<FanoutRound> warm = all.size() > scenario.batches()
                    ? all.subList(scenario.batches(), all.size()) : all;
            System.out.printf(Locale.ROOT, "%nscenario %s, %d batches of %,d no-op items%s: decision readable after"
                    + " registration p50 %,.0f ms, p99 %,.0f ms; after the last result p50 %,.0f ms, p99 %,.0f ms%s%n",
                    scenario.name(), warm.size(), scenario.items(), warm == all ? "" : " (round 1 left out)",
                    percentile(warm, b -> b.timeline().endMs() - b.timeline().startMs(), 50),
                    percentile(warm, b -> b.timeline().endMs() - b.timeline().startMs(), 99),
                    percentile(warm, b -> b.timeline().decisionLagMs(), 50),
                    percentile(warm, b -> b.timeline().decisionLagMs(), 99),
                    warm.size() < 100 ? " (with fewer than 100 batches, p99 is the slowest)" : "");
            if (warm != all) {
                System.out.printf(Locale.ROOT, "  every batch, round 1 included: p50 %,.0f ms, p99 %,.0f ms after"
                        + " registration; the first batch after the services started: %,d ms%n",
                        percentile(all, b -> b.timeline().endMs() - b.timeline().startMs(), 50),
                        percentile(all, b -> b.timeline().endMs() - b.timeline().startMs(), 99),
                        all.get(0).timeline().endMs() - all.get(0).timeline().startMs());
            }
        });
    }

    /** {@code broker 0.05, aggregator 0.02, ...}: CPU cores each process used, on average, while idle. */
    static String cores(Map<String, Double> seconds, double wallSeconds) {
        StringJoiner text = new StringJoiner(", ");
        seconds.forEach((name, s) -> text.add(String.format(Locale.ROOT, "%s %.2f", name, s / wallSeconds)));
        return text.toString();
    }

    private static String ofLimit(double rate, Scenario scenario, int workers) {
        return scenario.latencyMs() == 0 ? "" : " (" + percent(rate, scenario, workers) + " of Little's law)";
    }

    private static String percent(double rate, Scenario scenario, int workers) {
        return scenario.latencyMs() == 0 ? "-"
                : String.format(Locale.ROOT, "%.1f%%", 100 * rate / scenario.littlesLaw(workers));
    }

    /** {@code broker 0.210, aggregator 0.300, ...; total 1.070}: CPU seconds per 1,000 items of each process. */
    static String cpu(Map<String, Double> seconds, long items) {
        StringJoiner text = new StringJoiner(", ");
        seconds.forEach((name, s) -> text.add(String.format(Locale.ROOT, "%s %.3f", name, s * 1000 / items)));
        return text + String.format(Locale.ROOT, "; total %.3f", total(seconds) * 1000 / items);
    }

    static String heap(Map<String, GcLog> heap) {
        if (heap.isEmpty()) {
            return "no collection";
        }
        StringJoiner text = new StringJoiner(", ");
        heap.forEach((name, log) -> text.add(name + " " + log.describe()));
        return text.toString();
    }

    static double total(Map<String, Double> seconds) {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    static <T> double median(List<T> values, ToDoubleFunction<T> figure) {
        return percentile(values, figure, 50);
    }

    /** The nearest-rank percentile. */
    static <T> double percentile(List<T> values, ToDoubleFunction<T> figure, int percentile) {
        double[] sorted = values.stream().mapToDouble(figure).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
