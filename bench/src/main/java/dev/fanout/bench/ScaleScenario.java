package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code scripts/bench.sh system --scenario scale}: the whole pipeline scaled out on one host. For each lane group
 * ({@code consumer}, {@code share}) and each worker count, a fresh deployment (aggregator and N worker processes
 * through {@code scripts/fanout}, a worker configuration with {@code ordering: unordered} and a named {@code simulate}
 * handler of fixed latency, limited {@code maxConcurrency}) on the one broker, a small warm-up batch, then
 * {@code --rounds} batches of {@code --items-per-worker} x N items with {@code fanout dispatch --wait}. The handler
 * only waits, so nothing downstream limits it and one worker is bound by its concurrency: Little's law gives
 * {@code min(workers, partitions) x concurrency / latency} on a consumer-group lane, {@code workers x concurrency /
 * latency} on a share-group lane.
 *
 * <p>Options: {@code --workers 1,2,4,8 --groups consumer,share --partitions 4 --concurrency 20 --latency-ms 50
 * --items-per-worker 2000 --rounds 2 --keep-logs false}.
 */
final class ScaleScenario {

    static final String NAME = "scale";

    /** One measured batch of one deployment. */
    private record Row(String group, int workers, long items, double bound, FanoutRound batch) {

        double processing() {
            StageTimeline t = batch.timeline();
            return items * 1000.0 / Math.max(1, t.resultsLastMs() - t.jobsFirstMs());
        }

        long reruns() {
            return batch.timeline().results() - items;
        }

        /** CPU cores each process used on average while the dispatch command ran. */
        String cores() {
            return SystemReport.cores(batch.cpuSeconds(), batch.commandMs() / 1000.0);
        }
    }

    private ScaleScenario() {
    }

    static int run(Map<String, String> options) throws Exception {
        List<Integer> counts = List.of(options.getOrDefault("workers", "1,2,4,8").split(",")).stream()
                .map(String::trim).map(Integer::parseInt).toList();
        List<String> groups = List.of(options.getOrDefault("groups", "consumer,share").split(","));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "4"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "20"));
        long latencyMs = Long.parseLong(options.getOrDefault("latency-ms", "50"));
        int perWorker = Integer.parseInt(options.getOrDefault("items-per-worker", "2000"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        boolean keepLogs = Boolean.parseBoolean(options.getOrDefault("keep-logs", "false"));
        Path dir = Files.createTempDirectory("fanout-scale-");
        System.out.println("system benchmark, scale-out, " + Instant.now() + ": " + SystemBenchmark.machine());
        System.out.printf(Locale.ROOT, "%d partitions, handler sim (simulate, %d ms fixed), concurrency %d per worker,"
                + " %,d items per worker, ordering unordered; logs in %s%n", partitions, latencyMs, concurrency,
                perWorker, dir);
        List<Row> rows = new ArrayList<>();
        boolean ok = false;
        try (ChildProcesses processes = new ChildProcesses(ChildProcesses.repositoryRoot(), dir)) {
            SystemBenchmark.launcherCheck(processes);
            ChildProcesses.Child broker = SystemBenchmark.startBroker(processes, dir);
            String servers = broker.awaitLine("ready at ([^;\\s]+)", java.time.Duration.ofMinutes(3)).group(1);
            for (String group : groups) {
                boolean share = group.equals("share");
                for (int workers : counts) {
                    double bound = (share ? workers : Math.min(workers, partitions)) * concurrency * 1000.0
                            / latencyMs;
                    rows.addAll(deployment(processes, broker, servers, group, workers, partitions, concurrency,
                            latencyMs, (long) perWorker * workers, rounds, bound));
                }
            }
            summary(rows);
            ok = true;
        } finally {
            BenchOptions.cleanUp(dir, ok, keepLogs);
        }
        return 0;
    }

    private static List<Row> deployment(ChildProcesses processes, ChildProcesses.Child broker, String servers,
            String group, int workers, int partitions, int concurrency, long latencyMs, long items, int rounds,
            double bound) throws Exception {
        String name = "scale-" + group + "-" + workers;
        KafkaSettings kafka = KafkaSettings.of(servers)
                .withTopicPrefix(name + "-" + UUID.randomUUID().toString().substring(0, 6) + ".")
                .withPartitions(partitions, partitions);
        String yaml = String.join("\n",
                "maxConcurrency: " + concurrency,
                "ordering: unordered",
                "laneGroup: " + group,
                "handlers:",
                "  sim: {type: simulate, settings: {latencyMs: " + latencyMs + ", distribution: fixed}}",
                "");
        System.out.printf(Locale.ROOT, "%n%s lane, %d workers (bound %,.0f items/s); %s%n", group, workers, bound,
                SystemBenchmark.machine());
        FanoutDeployment fanout = FanoutDeployment.start(processes, broker, kafka, name, workers, yaml, false,
                group.equals("consumer"));
        List<Row> rows = new ArrayList<>();
        try {
            long warm = 50L * workers;
            fanout.dispatch(name + "-warm", "sim", fanout.itemsFile(warm, (int) warm), warm);
            Path file = fanout.itemsFile(items, (int) Math.min(items, Integer.MAX_VALUE));
            for (int round = 1; round <= rounds; round++) {
                Row row = new Row(group, workers, items, bound, fanout.dispatch(name + "-r" + round, "sim", file,
                        items));
                StageTimeline t = row.batch().timeline();
                System.out.printf(Locale.ROOT, "round %d: %,.0f items/s registration to decision (%.0f%% of the"
                        + " bound), %,.0f first job to last result; reruns %d; decision %,d ms after the last result%n",
                        round, row.batch().rate(), 100 * row.batch().rate() / bound, row.processing(), row.reruns(),
                        t.decisionLagMs());
                SystemReport.firstSeconds(t, "registration");
                System.out.println("  CPU cores on average over the dispatch command: " + row.cores());
                rows.add(row);
            }
        } finally {
            fanout.stop();
        }
        return rows;
    }

    /** The best round of each deployment, and its rate against the same lane group's one-worker rate. */
    private static void summary(List<Row> rows) {
        Map<String, Row> best = new LinkedHashMap<>();
        for (Row row : rows) {
            best.merge(row.group() + "/" + row.workers(), row, (a, b) -> a.batch().rate() >= b.batch().rate() ? a : b);
        }
        System.out.println();
        System.out.println("The best round of each (registration to decision):");
        System.out.println("| lane group | workers | items | items/s, registration to decision | of the bound | vs 1"
                + " worker | first job to last result | bound/s | reruns | CPU cores on average, per process |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (Row row : best.values()) {
            Row one = best.get(row.group() + "/1");
            String ratio = one == null ? "-" : String.format(Locale.ROOT, "%.2fx", row.batch().rate()
                    / one.batch().rate());
            System.out.printf(Locale.ROOT, "| %s | %d | %,d | %,.0f | %.0f%% | %s | %,.0f | %,.0f | %d | %s |%n",
                    row.group(), row.workers(), row.items(), row.batch().rate(), 100 * row.batch().rate()
                    / row.bound(), ratio, row.processing(), row.bound(), row.reruns(), row.cores());
        }
    }
}
