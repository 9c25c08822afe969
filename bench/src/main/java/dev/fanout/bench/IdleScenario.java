package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * {@code scripts/bench.sh system --scenario idle}: what the services cost when nothing runs. Starts the broker, an
 * aggregator and {@code --workers} workers (the system benchmark's worker configuration) through
 * {@code scripts/fanout}, lets them settle for {@code --warmup-s} seconds (the JIT compiles at first), then reads
 * every process's CPU time from {@code /proc} over {@code --measure-s} seconds and prints the cores each used, and for
 * each worker and the aggregator, the threads that used the most.
 *
 * <p>Options: {@code --workers 1 --partitions 8 --warmup-s 30 --measure-s 60 --keep-logs false}.
 */
final class IdleScenario {

    static final String NAME = "idle";
    /** Threads listed per process. */
    private static final int TOP_THREADS = 6;

    private IdleScenario() {
    }

    static int run(Map<String, String> options) throws Exception {
        int workers = Integer.parseInt(options.getOrDefault("workers", "1"));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "8"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup-s", "30")));
        Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("measure-s", "60")));
        boolean keepLogs = Boolean.parseBoolean(options.getOrDefault("keep-logs", "false"));
        Path dir = Files.createTempDirectory("fanout-idle-");
        System.out.println("system benchmark, idle services, " + Instant.now() + ": " + SystemBenchmark.machine());
        boolean ok = false;
        try (ChildProcesses processes = new ChildProcesses(ChildProcesses.repositoryRoot(), dir)) {
            SystemBenchmark.launcherCheck(processes);
            ChildProcesses.Child broker = SystemBenchmark.startBroker(processes, dir);
            String servers = broker.awaitLine("ready at ([^;\\s]+)", Duration.ofMinutes(3)).group(1);
            KafkaSettings kafka = KafkaSettings.of(servers)
                    .withTopicPrefix("idle-" + UUID.randomUUID().toString().substring(0, 6) + ".")
                    .withPartitions(partitions, partitions);
            FanoutDeployment fanout = FanoutDeployment.start(processes, broker, kafka, "idle", workers, 200, 20,
                    false);
            try {
                System.out.printf(Locale.ROOT, "%d workers and an aggregator up, %d partitions per lane; settling for"
                        + " %d s, then measuring for %d s%n", workers, partitions, warmup.toSeconds(),
                        measure.toSeconds());
                Thread.sleep(warmup); // the warm-up the scenario is named for
                Map<String, ChildProcesses.Child> services = fanout.services();
                Map<String, Double> before = new LinkedHashMap<>();
                Map<String, Map<String, Double>> threadsBefore = new LinkedHashMap<>();
                services.forEach((name, child) -> {
                    before.put(name, ProcCpu.tree(child.handle()));
                    threadsBefore.put(name, ProcCpu.threads(child.handle()));
                });
                Thread.sleep(measure); // the measurement window
                Map<String, Double> used = new LinkedHashMap<>();
                services.forEach((name, child) -> used.put(name, ProcCpu.tree(child.handle()) - before.get(name)));
                double seconds = measure.toMillis() / 1000.0;
                StringJoiner cores = new StringJoiner(", ");
                used.forEach((name, s) -> cores.add(String.format(Locale.ROOT, "%s %.4f", name, s / seconds)));
                System.out.println("CPU cores used while idle: " + cores + " (" + SystemBenchmark.machine() + ")");
                services.forEach((name, child) -> {
                    if (!name.equals("broker")) {
                        Map<String, Double> after = ProcCpu.threads(child.handle());
                        double jit = after.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                                .mapToDouble(e -> e.getValue() - threadsBefore.get(name).getOrDefault(e.getKey(), 0.0))
                                .sum();
                        System.out.printf(Locale.ROOT, "  %s: %.4f cores without the JIT compiler threads; by thread:"
                                + " %s%n", name, (used.get(name) - jit) / seconds,
                                topThreads(threadsBefore.get(name), after, seconds));
                    }
                });
            } finally {
                fanout.stop();
            }
            ok = true;
        } finally {
            BenchOptions.cleanUp(dir, ok, keepLogs);
        }
        return 0;
    }

    /** The threads (by name) that used the most CPU between two readings, as cores. */
    private static String topThreads(Map<String, Double> before, Map<String, Double> after, double seconds) {
        StringJoiner text = new StringJoiner(", ");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .limit(TOP_THREADS)
                .forEach(e -> text.add(String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue() / seconds)));
        return text.toString();
    }
}
