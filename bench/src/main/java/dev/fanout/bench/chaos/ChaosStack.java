package dev.fanout.bench.chaos;

import dev.fanout.bench.ChildProcesses;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneGroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The fault suite's system, every part a child process started through {@code scripts/fanout} as a user starts it:
 * a three-node KRaft cluster ({@code fanout broker --nodes 3}, which starts again any node that exits), two
 * aggregators and N workers (all with a 6 s session timeout, so a killed one's work moves soon), the workers'
 * {@code http} handler calling the {@link Downstream}, and the ways to hurt each of them: SIGKILL, SIGTERM, SIGSTOP
 * and SIGCONT.
 */
final class ChaosStack implements AutoCloseable {

    static final Duration START = Duration.ofMinutes(3);
    static final String HANDLER = "downstream";
    private static final Pattern PIDS = Pattern.compile("1 \\((\\d+)\\), 2 \\((\\d+)\\), 3 \\((\\d+)\\)");

    private final ChildProcesses processes;
    private final ChildProcesses.Child broker;
    private final String servers;
    private final KafkaSettings kafka;
    private final Path clusterDir;
    private final Path workerConfig;
    private final Path aggregatorClient;
    private final ChildProcesses.Child[] aggregators = new ChildProcesses.Child[2];
    private final List<ChildProcesses.Child> workers = new ArrayList<>();
    private final Downstream downstream;
    private int generation;

    private ChaosStack(ChildProcesses processes, ChildProcesses.Child broker, String servers, Path clusterDir,
            Path workerConfig, Path aggregatorClient, Downstream downstream) {
        this.aggregatorClient = aggregatorClient;
        this.processes = processes;
        this.broker = broker;
        this.servers = servers;
        this.kafka = KafkaSettings.of(servers);
        this.clusterDir = clusterDir;
        this.workerConfig = workerConfig;
        this.downstream = downstream;
    }

    /** Starts the cluster, two aggregators and {@code workerCount} workers, and waits until all of them run. */
    static ChaosStack start(ChildProcesses processes, int workerCount, int concurrency, Duration latency)
            throws IOException, InterruptedException {
        ChildProcesses.Child broker = processes.fanout("broker", Map.of(), "broker", "--nodes", "3", "--port", "0",
                "--heap", "384m", "--http-port", "-1");
        Matcher ready = broker.awaitLine("ready at (\\S+); data in (\\S+?)(?:;|\\. Ctrl-C)", START);
        broker.awaitLine("Nodes \\(pid\\)", START);
        Downstream downstream = Downstream.start(latency);
        Path config = processes.dir().resolve("worker.yaml");
        Files.writeString(config, String.join("\n",
                "maxConcurrency: " + concurrency,
                "handlers:",
                "  " + HANDLER + ": {type: http, settings: {url: \"" + downstream.urlTemplate() + "\"}}",
                ""), StandardCharsets.UTF_8);
        // a killed aggregator's tasks move when its session times out: 6 s (the broker's minimum), not 45 s
        Path aggregatorClient = processes.dir().resolve("aggregator-client.properties");
        Files.writeString(aggregatorClient, "consumer.session.timeout.ms=6000\n", StandardCharsets.UTF_8);
        ChaosStack stack = new ChaosStack(processes, broker, ready.group(1), Path.of(ready.group(2)), config,
                aggregatorClient, downstream);
        stack.shortWorkerSessions();
        stack.startAggregator(0);
        stack.startAggregator(1);
        for (int i = 0; i < workerCount; i++) {
            stack.workers.add(null);
            stack.startWorker(i);
        }
        for (ChildProcesses.Child aggregator : stack.aggregators) {
            aggregator.awaitLine("aggregator .* running", START);
        }
        for (ChildProcesses.Child worker : stack.workers) {
            worker.awaitLine("owns \\d+ partitions", START);
        }
        return stack;
    }

    /**
     * A killed (or paused) worker's partitions move when its session times out: 6 s for the workers' group (the
     * broker's minimum, as for the aggregators), not the broker's default 10 s. A group configuration, set before any
     * worker joins.
     */
    private void shortWorkerSessions() throws InterruptedException {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, LaneGroups.defaultGroupId(kafka));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                    new ConfigEntry("consumer.session.timeout.ms", "6000"), AlterConfigOp.OpType.SET))))
                    .all().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set the session timeout of worker group " + group.name(), e);
        }
    }

    String servers() {
        return servers;
    }

    KafkaSettings kafka() {
        return kafka;
    }

    /** The temporary cluster's directory (its nodes remove it when the broker command is gone). */
    Path clusterDir() {
        return clusterDir;
    }

    ChildProcesses processes() {
        return processes;
    }

    Downstream downstream() {
        return downstream;
    }

    ChildProcesses.Child broker() {
        return broker;
    }

    int workerCount() {
        return workers.size();
    }

    ChildProcesses.Child worker(int i) {
        return workers.get(i);
    }

    ChildProcesses.Child aggregator(int i) {
        return aggregators[i];
    }

    int aggregatorCount() {
        return aggregators.length;
    }

    /** The node's JVM now, from the broker command's latest list of node pids. */
    long nodePid(int node) {
        Matcher last = null;
        for (String line : broker.output().lines().toList()) {
            Matcher pids = PIDS.matcher(line);
            if (pids.find()) {
                last = pids;
            }
        }
        if (last == null) {
            throw new IllegalStateException("the broker command printed no node pids");
        }
        return Long.parseLong(last.group(node));
    }

    /** SIGKILL (or SIGTERM, a clean bounce) one node and wait until the broker command has started it again. */
    void hurtNode(int node, boolean kill) throws InterruptedException {
        int before = broker.count("node " + node + " is back");
        ProcessHandle handle = ProcessHandle.of(nodePid(node)).orElseThrow();
        if (kill) {
            handle.destroyForcibly();
        } else {
            handle.destroy();
        }
        broker.awaitLine("node " + node + " is back", before + 1, START);
    }

    /** Starts aggregator {@code i} (0 or 1) on its own state directory, one more generation of its log. */
    void startAggregator(int i) {
        aggregators[i] = processes.fanout("aggregator-" + (i + 1) + "-" + (++generation), Map.of(), "aggregator",
                "--bootstrap-servers", servers, "--command-config", aggregatorClient.toString(), "--http-port", "0",
                "--state-dir", processes.dir().resolve("state-" + (i + 1)).toString());
    }

    /** Starts worker {@code i} with its fixed id: a restart takes the place of the worker that died. */
    void startWorker(int i) {
        workers.set(i, processes.fanout("worker-" + (i + 1) + "-" + (++generation), Map.of(), "worker",
                "--bootstrap-servers", servers, "--config", workerConfig.toString(), "--worker-id",
                "chaos-w" + (i + 1), "--http-port", "-1"));
    }

    /** A worker beyond the regular ones, for rebalances: joins, takes partitions, and is stopped again. */
    ChildProcesses.Child startExtraWorker(String id) {
        return processes.fanout(id + "-" + (++generation), Map.of(), "worker", "--bootstrap-servers", servers,
                "--config", workerConfig.toString(), "--worker-id", id, "--http-port", "-1");
    }

    /** Sends a Unix signal (STOP, CONT) to a child with the system's {@code kill}. */
    static void signal(ChildProcesses.Child child, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.handle().pid()))
                .inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + child.handle().pid() + " failed");
        }
    }

    /**
     * SIGTERM to every aggregator and worker at once while the cluster still runs, so each drains to it and stops
     * cleanly; waits for all of them, SIGKILL to any still running after {@code grace}.
     */
    void stopServices(Duration grace) {
        List<ChildProcesses.Child> services = new ArrayList<>(workers);
        services.addAll(List.of(aggregators));
        try (ExecutorService stops = Executors.newVirtualThreadPerTaskExecutor()) {
            services.forEach(service -> stops.submit(() -> service.stop(grace)));
        }
    }

    @Override
    public void close() {
        downstream.close();
    }
}
