package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Lane;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fanout as a user runs it, for one scenario: an aggregator and N workers started through {@code scripts/fanout} on
 * a running broker, each in its own process, and batches dispatched with {@code fanout dispatch --wait --json}. The
 * workers' configuration names two handlers, {@code sim} ({@code simulate}, fixed latency) and {@code noop}
 * ({@code echo}), so dispatch checks the batch's handler against the live workers as it would for a user.
 */
final class FanoutDeployment {

    private static final Pattern OWNS = Pattern.compile("owns \\d+ partitions: \\[(.*)]");

    private final ChildProcesses processes;
    private final KafkaSettings kafka;
    private final ChildProcesses.Child broker;
    private final ChildProcesses.Child aggregator;
    private final List<ChildProcesses.Child> workers;
    private final Path dir;
    private final URI resultsApi;
    private final List<URI> workerEndpoints;
    private final DecisionWatch decisions;

    private FanoutDeployment(ChildProcesses processes, KafkaSettings kafka, ChildProcesses.Child broker,
            ChildProcesses.Child aggregator, List<ChildProcesses.Child> workers, Path dir, URI resultsApi,
            List<URI> workerEndpoints) {
        this.workerEndpoints = List.copyOf(workerEndpoints);
        this.processes = processes;
        this.kafka = kafka;
        this.broker = broker;
        this.aggregator = aggregator;
        this.workers = workers;
        this.dir = dir;
        this.resultsApi = resultsApi;
        this.decisions = DecisionWatch.start(kafka);
    }

    /**
     * Creates the topics, starts the aggregator and the workers, and waits until the workers own every partition.
     *
     * @param endpoints whether the workers serve their HTTP endpoints ({@code /metrics}), for {@code --watch on}
     */
    static FanoutDeployment start(ChildProcesses processes, ChildProcesses.Child broker, KafkaSettings kafka,
            String name, int workerCount, int concurrency, long latencyMs, boolean endpoints)
            throws IOException, InterruptedException {
        String workerYaml = String.join("\n",
                "maxConcurrency: " + concurrency,
                "ordering: key",
                "handlers:",
                "  sim: {type: simulate, settings: {latencyMs: " + latencyMs + ", distribution: fixed}}",
                "  noop: {type: echo}",
                "");
        return start(processes, broker, kafka, name, workerCount, workerYaml, endpoints, true);
    }

    /**
     * Creates the topics, starts the aggregator and the workers with the given worker configuration and, when
     * {@code awaitLanes}, waits until the workers own every partition of the normal lane (a lane on a share group has
     * no owners: then each worker has been assigned once).
     */
    static FanoutDeployment start(ChildProcesses processes, ChildProcesses.Child broker, KafkaSettings kafka,
            String name, int workerCount, String workerYaml, boolean endpoints, boolean awaitLanes)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(processes.dir().resolve(name));
        TopicInitializer.ensure(kafka, kafka.topics().all());
        Path config = dir.resolve("worker.yaml");
        Files.writeString(config, workerYaml, StandardCharsets.UTF_8);
        ChildProcesses.Child aggregator = processes.fanout(name + "-aggregator", javaOpts(processes),
                withKafka(kafka, "aggregator", "--http-port", "0", "--state-dir", dir.resolve("state").toString()));
        List<ChildProcesses.Child> workers = new ArrayList<>();
        for (int i = 1; i <= workerCount; i++) {
            workers.add(processes.fanout(name + "-worker-" + i, javaOpts(processes), withKafka(kafka, "worker",
                    "--config", config.toString(), "--worker-id", name + "-worker-" + i, "--http-port", endpoints ? "0" : "-1")));
        }
        URI api = URI.create(aggregator.awaitLine("aggregator .* running.*results API at (http://[^;\\s]+)",
                Duration.ofMinutes(3)).group(1));
        List<URI> workerEndpoints = new ArrayList<>();
        for (ChildProcesses.Child worker : workers) {
            var running = worker.awaitLine("worker .* running.*?(?:health at (http://[^/\\s]+)/healthz|$)",
                    Duration.ofMinutes(3));
            if (endpoints && running.group(1) != null) {
                workerEndpoints.add(URI.create(running.group(1)));
            }
        }
        if (awaitLanes) {
            awaitAssigned(workers, kafka);
        } else {
            for (ChildProcesses.Child worker : workers) {
                worker.awaitLine("owns \\d+ partitions", Duration.ofMinutes(2));
            }
        }
        return new FanoutDeployment(processes, kafka, broker, aggregator, workers, dir, api, workerEndpoints);
    }

    /** The heap every service gets from the launcher by default, plus a GC log (see {@link GcLog}). */
    static Map<String, String> javaOpts(ChildProcesses processes) {
        return Map.of("FANOUT_JAVA_OPTS", "-Xmx1g -Xlog:gc:file=" + processes.dir().resolve("gc-%p.log")
                + ":timemillis");
    }

    static String[] withKafka(KafkaSettings kafka, String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", kafka.topicPrefix(), "--partitions", Integer.toString(kafka.jobPartitions())));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    KafkaSettings kafka() {
        return kafka;
    }

    /** The aggregator's results API (and dashboard) base URL. */
    URI resultsApi() {
        return resultsApi;
    }

    /** Every worker's endpoint base URL ({@code /metrics} below it); empty unless started with endpoints. */
    List<URI> workerEndpoints() {
        return workerEndpoints;
    }

    /** The running services, by name: the broker (its JVM included), the aggregator and each worker. */
    Map<String, ChildProcesses.Child> services() {
        Map<String, ChildProcesses.Child> services = new LinkedHashMap<>();
        services.put("broker", broker);
        services.put("aggregator", aggregator);
        for (int i = 0; i < workers.size(); i++) {
            services.put("worker-" + (i + 1), workers.get(i));
        }
        return services;
    }

    /** Writes a JSON Lines file of {@code items} items, {@code {"k":"key-<i % keys>","n":<i>}}. */
    Path itemsFile(long items, int keys) throws IOException {
        Path file = dir.resolve("items-" + items + "-" + keys + ".jsonl");
        if (!Files.exists(file)) {
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (long i = 0; i < items; i++) {
                    out.write("{\"k\":\"key-" + (i % keys) + "\",\"n\":" + i + "}\n");
                }
            }
        }
        return file;
    }

    /**
     * Dispatches one batch with {@code fanout dispatch --wait --json} and measures it: the stage timeline from the
     * records, CPU of every process from before the command starts to after it ends (the dispatch command's own, JVM
     * start included, from this JVM's reaped children), and the GC figures of the window.
     */
    FanoutRound dispatch(String batchId, String handler, Path items, long count) throws IOException,
            InterruptedException {
        Path batch = dir.resolve("batch-" + handler + ".yaml");
        Files.writeString(batch, "handler: " + handler + "\nkeyField: /k\npolicy: {strategy: wait_all}\n",
                StandardCharsets.UTF_8);
        StageTimeline.Marks marks = StageTimeline.Marks.take(kafka);
        Map<String, ChildProcesses.Child> services = services();
        Map<String, Double> cpuBefore = new LinkedHashMap<>();
        services.forEach((name, child) -> cpuBefore.put(name, ProcCpu.tree(child.handle())));
        double reapedBefore = ProcCpu.reapedChildren();
        long startMs = System.currentTimeMillis();
        AggregatorProbe probe = AggregatorProbe.start(resultsApi, batchId, count);
        ChildProcesses.Child dispatch = processes.fanout("dispatch-" + batchId, javaOpts(processes),
                withKafka(kafka, "dispatch", batch.toString(), "--items", items.toString(), "--batch-id", batchId,
                        "--wait", "--json", "--timeout", "30m"));
        int code = dispatch.awaitExit(Duration.ofMinutes(31));
        long endMs = System.currentTimeMillis();
        probe.close();
        double dispatchCpu = ProcCpu.reapedChildren() - reapedBefore;
        Map<String, Double> cpu = new LinkedHashMap<>();
        services.forEach((name, child) -> cpu.put(name, ProcCpu.tree(child.handle()) - cpuBefore.get(name)));
        cpu.put("dispatch", dispatchCpu);
        String output = dispatch.output();
        if (code != 0) {
            throw new IllegalStateException("fanout dispatch exited with " + code + ":\n" + output);
        }
        List<String> json = output.lines().filter(line -> line.startsWith("{")).toList();
        BatchResult decision = Envelopes.decode(json.get(json.size() - 1).getBytes(StandardCharsets.UTF_8),
                BatchResult.class);
        if (decision.total() != count || decision.succeeded() != count) {
            throw new IllegalStateException(String.format(Locale.ROOT, "batch %s: %d of %d items succeeded (%s)",
                    batchId, decision.succeeded(), count, decision.status()));
        }
        Map<String, GcLog> heap = heap(startMs, endMs);
        GcLog.read(GcLog.file(processes.dir(), dispatch.handle().pid()), 0, Long.MAX_VALUE)
                .ifPresent(log -> heap.put("dispatch", log));
        long readableMs = decisions.readableMs(batchId, Duration.ofSeconds(30));
        return new FanoutRound(batchId, count, decision, StageTimeline.fanout(marks, batchId, readableMs), cpu, heap,
                startMs, endMs - startMs, probe.allCountedMs(), marks.jobs());
    }

    /** The GC figures of each service between two moments (epoch ms), by name; absent: no collection. */
    Map<String, GcLog> heap(long fromMs, long toMs) {
        Map<String, GcLog> heap = new LinkedHashMap<>();
        services().forEach((name, child) -> heap(child, fromMs, toMs).ifPresent(log -> heap.put(name, log)));
        return heap;
    }

    /** The GC figures of a service in a window: for the broker, those of the broker JVM it runs as its child. */
    private Optional<GcLog> heap(ChildProcesses.Child child, long fromMs, long toMs) {
        Optional<GcLog> found = Optional.empty();
        List<ProcessHandle> jvms = new ArrayList<>(child.handle().descendants().toList());
        jvms.add(child.handle());
        for (ProcessHandle jvm : jvms) {
            Optional<GcLog> log = GcLog.read(GcLog.file(processes.dir(), jvm.pid()), fromMs, toMs);
            if (log.isPresent()) {
                found = found.isPresent() ? Optional.of(found.get().max(log.get())) : log;
            }
        }
        return found;
    }

    /** Stops the workers and the aggregator (SIGTERM: they drain and stop); the broker stays. */
    void stop() {
        for (ChildProcesses.Child worker : workers) {
            worker.stop(Duration.ofSeconds(60));
        }
        aggregator.stop(Duration.ofSeconds(60));
        try {
            decisions.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the workers' latest assignments cover every partition of the normal lane without overlap and stay
     * so for 2 s.
     */
    private static void awaitAssigned(List<ChildProcesses.Child> workers, KafkaSettings kafka)
            throws InterruptedException {
        String lane = kafka.topics().jobs(Lane.NORMAL).name();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long stableSince = 0;
        while (true) {
            Set<String> owned = new HashSet<>();
            int sum = 0;
            for (ChildProcesses.Child worker : workers) {
                Matcher m = OWNS.matcher(worker.output());
                String latest = "";
                while (m.find()) {
                    latest = m.group(1);
                }
                for (String partition : latest.split(", ")) {
                    if (!partition.isEmpty()) {
                        owned.add(partition);
                        sum++;
                    }
                }
            }
            boolean covered = sum == owned.size();
            for (int p = 0; p < kafka.jobPartitions() && covered; p++) {
                covered = owned.contains(lane + "-" + p);
            }
            if (covered) {
                stableSince = stableSince == 0 ? System.nanoTime() : stableSince;
                if (System.nanoTime() - stableSince > Duration.ofSeconds(2).toNanos()) {
                    return;
                }
            } else {
                stableSince = 0;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the workers do not own every partition of " + lane
                        + " after 2 minutes: " + owned);
            }
            Thread.sleep(100); // polling the workers' logs
        }
    }
}
