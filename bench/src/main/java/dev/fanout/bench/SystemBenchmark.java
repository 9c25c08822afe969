package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.FanoutHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;

/**
 * {@code scripts/bench.sh system}: the product measured as a user runs it. Separate processes started through
 * {@code scripts/fanout}: an embedded broker ({@code fanout broker --port 0}), an aggregator, N workers with a worker
 * configuration that names its handlers, and {@code fanout dispatch BATCH --items FILE --wait --json} per batch.
 * For each batch it reports the rate from the batch's registration to its decision, the stage timeline from the
 * records' timestamps, the CPU of every process per 1,000 items and their heap peaks; beside it, on the same broker
 * and the same records, Confluent's Parallel Consumer with KEY ordering and the same concurrency
 * ({@link ParallelConsumerPeer}), and for no-op items Kafka's {@code ProducerPerformance}.
 *
 * <p>Scenarios ({@link Scenario}): a) 50,000 items over 10,000 keys, concurrency 200, 20 ms; b) 100,000 items,
 * concurrency 2,000, 20 ms; c) 200,000 no-op items; d) 20 batches of 100 no-op items one after another (decision
 * latency). Options: {@code --scenario a|b|c|d|all} (or a list: {@code a,c}), {@code --rounds 3}, {@code --workers 2},
 * {@code --partitions 8}, {@code --keys 10000}, {@code --latency-ms 20}, {@code --items N} (overrides a, b and c),
 * {@code --batches 20}, {@code --batch-items 100}, {@code --peer on|off}, {@code --keep-logs false},
 * {@code --watch on|off} (scrape every service's metrics each second and keep the dashboard open on the running
 * batch, to measure what watching costs; throughput scenarios only).
 */
final class SystemBenchmark {

    /** How long the services are watched doing nothing before the first round. */
    private static final Duration IDLE = Duration.ofSeconds(5);

    private SystemBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        Map<String, String> options = BenchOptions.parse(args);
        if (ScaleScenario.NAME.equals(options.get("scenario"))) {
            return ScaleScenario.run(options);
        }
        if (IdleScenario.NAME.equals(options.get("scenario"))) {
            return IdleScenario.run(options);
        }
        List<Scenario> scenarios = Scenario.select(options.getOrDefault("scenario", "all"), options);
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        int workers = Integer.parseInt(options.getOrDefault("workers", "2"));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "8"));
        boolean peer = !options.getOrDefault("peer", "on").equals("off");
        boolean keepLogs = Boolean.parseBoolean(options.getOrDefault("keep-logs", "false"));
        boolean watch = options.getOrDefault("watch", "off").equals("on");
        if (!ProcCpu.available()) {
            System.err.println("bench: /proc is not readable here; CPU figures will be 0");
        }
        Path root = ChildProcesses.repositoryRoot();
        Path dir = Files.createTempDirectory("fanout-system-");
        System.out.println("system benchmark, " + Instant.now() + ": " + machine());
        System.out.println("logs and GC logs in " + dir);
        boolean ok = false;
        try (ChildProcesses processes = new ChildProcesses(root, dir)) {
            launcherCheck(processes);
            ChildProcesses.Child broker = startBroker(processes, dir);
            String servers = broker.awaitLine("ready at ([^;\\s]+)", Duration.ofMinutes(3)).group(1);
            Map<Scenario, List<SystemReport.Round>> throughput = new LinkedHashMap<>();
            Map<Scenario, List<FanoutRound>> latency = new LinkedHashMap<>();
            for (Scenario scenario : scenarios) {
                KafkaSettings kafka = KafkaSettings.of(servers)
                        .withTopicPrefix("sys-" + scenario.name() + "-" + UUID.randomUUID().toString().substring(0, 6)
                                + ".")
                        .withPartitions(partitions, partitions);
                System.out.println();
                System.out.println(scenario.describe(workers, partitions));
                if (scenario.latencyScenario()) {
                    latency.put(scenario, latencyScenario(processes, broker, kafka, scenario, workers, rounds));
                } else {
                    throughput.put(scenario, throughputScenario(processes, broker, kafka, scenario, workers, rounds,
                            peer, watch));
                }
            }
            SystemReport.summary(workers, throughput, latency);
            ok = true;
        } finally {
            BenchOptions.cleanUp(dir, ok, keepLogs);
        }
        return 0;
    }

    private static List<SystemReport.Round> throughputScenario(ChildProcesses processes, ChildProcesses.Child broker,
            KafkaSettings kafka, Scenario scenario, int workers, int rounds, boolean withPeer, boolean watch)
            throws Exception {
        FanoutDeployment fanout = FanoutDeployment.start(processes, broker, kafka, "sys-" + scenario.name(), workers,
                scenario.concurrency(), scenario.latencyMs(), watch);
        Watcher watcher = null;
        if (watch) {
            List<java.net.URI> endpoints = new ArrayList<>(fanout.workerEndpoints());
            endpoints.add(fanout.resultsApi());
            watcher = new Watcher(endpoints, fanout.resultsApi());
            System.out.println("watching: every service's /metrics each " + Watcher.SCRAPE.toSeconds()
                    + " s, and the dashboard's page of the running batch");
        }
        ParallelConsumerPeer peer = null;
        List<SystemReport.Round> results = new ArrayList<>();
        long startMs = System.currentTimeMillis();
        try {
            Path items = fanout.itemsFile(scenario.items(), scenario.keys());
            if (withPeer) {
                peer = ParallelConsumerPeer.start(processes, kafka, "sys-" + scenario.name(), workers,
                        scenario.concurrency(), scenario.latencyMs());
            }
            Map<String, ChildProcesses.Child> idle = new LinkedHashMap<>(fanout.services());
            if (peer != null) {
                idle.putAll(peer.instances());
            }
            System.out.println("idle for " + IDLE.toSeconds() + " s before round 1, CPU cores used: "
                    + idleCpu(idle));
            for (int round = 1; round <= rounds; round++) {
                String batchId = scenario.name() + "-r" + round;
                if (watcher != null) {
                    watcher.watch(batchId);
                }
                FanoutRound batch = fanout.dispatch(batchId, scenario.handler(), items, scenario.items());
                SystemReport.fanoutRound(round, scenario, workers, batch);
                ParallelConsumerPeer.Outcome outcome = null;
                if (peer != null) {
                    double brokerBefore = ProcCpu.tree(broker.handle());
                    outcome = peer.round(batch.jobs(), record -> ofBatch(record.headers().lastHeader(
                            FanoutHeaders.BATCH_ID), batchId), scenario.items());
                    Map<String, Double> cpu = new LinkedHashMap<>();
                    cpu.put("broker", ProcCpu.tree(broker.handle()) - brokerBefore);
                    cpu.putAll(outcome.cpuSeconds());
                    outcome = new ParallelConsumerPeer.Outcome(outcome.timeline(), cpu, outcome.heap());
                    SystemReport.peerRound(round, scenario, workers, outcome, scenario.items());
                }
                SystemReport.ProducerPerformanceRun pp = null;
                if (scenario.latencyMs() == 0) {
                    pp = producerPerformance(broker, kafka, scenario.name() + "-r" + round, scenario.items());
                    SystemReport.producerPerformance(round, pp, scenario.items());
                }
                results.add(new SystemReport.Round(batch, outcome, pp));
            }
            long endMs = System.currentTimeMillis();
            System.out.println("heap MB over the scenario, peak before GC / most after GC: Fanout "
                    + SystemReport.heap(fanout.heap(startMs, endMs))
                    + (peer == null ? "" : "; peer " + SystemReport.heap(peer.heap(startMs, endMs))));
        } finally {
            if (watcher != null) {
                System.out.println(watcher.summary());
                watcher.close();
            }
            if (peer != null) {
                peer.stop();
            }
            fanout.stop();
        }
        return results;
    }

    private static List<FanoutRound> latencyScenario(ChildProcesses processes, ChildProcesses.Child broker,
            KafkaSettings kafka, Scenario scenario, int workers, int rounds) throws Exception {
        FanoutDeployment fanout = FanoutDeployment.start(processes, broker, kafka, "sys-" + scenario.name(), workers,
                scenario.concurrency(), scenario.latencyMs(), false);
        List<FanoutRound> all = new ArrayList<>();
        try {
            System.out.println("idle for " + IDLE.toSeconds() + " s before round 1, CPU cores used: "
                    + idleCpu(fanout.services()));
            Path items = fanout.itemsFile(scenario.items(), scenario.keys());
            for (int round = 1; round <= rounds; round++) {
                List<FanoutRound> batches = new ArrayList<>();
                for (int b = 1; b <= scenario.batches(); b++) {
                    batches.add(fanout.dispatch(scenario.name() + "-r" + round + "-b" + b, scenario.handler(), items,
                            scenario.items()));
                }
                SystemReport.latencyBatches(round, batches);
                all.addAll(batches);
            }
        } finally {
            fanout.stop();
        }
        return all;
    }

    /** Starts {@code fanout broker} (its child JVM writes a GC log) and waits until it prints its address. */
    static ChildProcesses.Child startBroker(ChildProcesses processes, Path dir) throws InterruptedException {
        ChildProcesses.Child broker = processes.fanout("broker", Map.of("JAVA_TOOL_OPTIONS",
                "-Xlog:gc:file=" + dir.resolve("gc-%p.log") + ":timemillis"), "broker", "--port", "0",
                "--http-port", "-1");
        String servers = broker.awaitLine("ready at ([^;\\s]+)", Duration.ofMinutes(3)).group(1);
        System.out.println("broker: fanout broker at " + servers + " (its JVM -Xmx512m, the default)");
        return broker;
    }

    /**
     * CPU cores each process uses while nothing is dispatched: what a service costs by the second, whatever the
     * items (polling, heartbeats, commits).
     */
    private static String idleCpu(Map<String, ChildProcesses.Child> processes) throws InterruptedException {
        Map<String, Double> before = new LinkedHashMap<>();
        processes.forEach((name, child) -> before.put(name, ProcCpu.tree(child.handle())));
        Thread.sleep(IDLE); // the measurement window
        Map<String, Double> used = new LinkedHashMap<>();
        processes.forEach((name, child) -> used.put(name, ProcCpu.tree(child.handle()) - before.get(name)));
        return SystemReport.cores(used, IDLE.toMillis() / 1000.0);
    }

    /** Kafka's producer benchmark with records of the size of the dispatcher's, in a child JVM like the others. */
    private static SystemReport.ProducerPerformanceRun producerPerformance(ChildProcesses.Child broker,
            KafkaSettings kafka, String tag, long items) {
        long recordSize = DispatchBenchmark.recordSize(kafka);
        double brokerBefore = ProcCpu.tree(broker.handle());
        double reapedBefore = ProcCpu.reapedChildren();
        double[] pp = DispatchBenchmark.producerPerformance(kafka.bootstrapServers(), kafka.topicPrefix() + "pp-" + tag,
                items, recordSize, kafka.jobPartitions(), "1g");
        return new SystemReport.ProducerPerformanceRun(pp[0], pp[1], pp[2], recordSize,
                ProcCpu.reapedChildren() - reapedBefore, ProcCpu.tree(broker.handle()) - brokerBefore);
    }

    /**
     * Runs {@code fanout --version} first: the launcher builds the jar if the sources are newer (once, before the
     * services start all at once), and its CPU is what the launcher and a JVM start cost any command.
     */
    static void launcherCheck(ChildProcesses processes) {
        double before = ProcCpu.reapedChildren();
        ChildProcesses.Child version = processes.fanout("version", Map.of(), "--version");
        if (version.awaitExit(Duration.ofMinutes(20)) != 0) {
            throw new IllegalStateException("scripts/fanout --version failed:\n" + version.output());
        }
        System.out.printf(Locale.ROOT, "launcher: scripts/fanout --version takes %.2f s of CPU (launcher checks and"
                + " a JVM start, part of every dispatch's CPU below); %s%n", ProcCpu.reapedChildren() - before,
                version.output().lines().filter(line -> line.startsWith("fanout ") || line.startsWith("Apache"))
                        .reduce((a, b) -> a + ", " + b).orElse(""));
    }

    private static boolean ofBatch(Header header, String batchId) {
        return header != null && Arrays.equals(header.value(), batchId.getBytes(StandardCharsets.UTF_8));
    }

    /** nproc, the CPU model, memory and the load average, from /proc. */
    static String machine() {
        String model = "unknown CPU";
        String memory = "";
        String load = "";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> String.format(Locale.ROOT, ", %.1f GiB",
                            Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).orElse("");
            load = ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            // not Linux: the figures say less about the machine
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + model + ")" + memory + load + ", Java "
                + Runtime.version();
    }


}
