package dev.fanout.bench.chaos;

import dev.fanout.bench.ChildProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The fault suite as a library, for {@code scripts/chaos} ({@link Chaos}) and the integration test that runs its
 * reduced set: starts the system ({@link ChaosStack}), runs faults one at a time, each during its own batch, and
 * stops every process it started when closed.
 */
public final class ChaosSession implements AutoCloseable {

    /**
     * @param items       items per fault's batch
     * @param workers     regular workers
     * @param concurrency each worker's {@code maxConcurrency}
     * @param latency     the downstream's latency per call
     * @param pace        scales each fault's batch duration ({@link Fault#seconds()}): 1 as designed, less to be quick
     */
    public record Settings(long items, int workers, int concurrency, Duration latency, double pace) {
        public Settings {
            if (items < 1_000) {
                throw new IllegalArgumentException("--items must be >= 1000 (a fault needs a batch to land in), was "
                        + items);
            }
            if (workers < 2) {
                throw new IllegalArgumentException("--workers must be >= 2 (a worker is killed while others run), was "
                        + workers);
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be >= 1, was " + concurrency);
            }
            Objects.requireNonNull(latency, "latency");
            if (!(pace > 0)) {
                throw new IllegalArgumentException("--pace must be > 0, was " + pace);
            }
        }

        public static Settings ofDefaults() {
            return new Settings(20_000, 3, 16, Duration.ofMillis(20), 1.0);
        }
    }

    private static final Duration SERVICE_STOP = Duration.ofSeconds(20);

    private final ChildProcesses processes;
    private final ChaosStack stack;
    private final Settings settings;
    private int runs;

    private ChaosSession(ChildProcesses processes, ChaosStack stack, Settings settings) {
        this.processes = processes;
        this.stack = stack;
        this.settings = settings;
    }

    /** Starts the system; logs of every process go to {@code dir}. */
    public static ChaosSession start(Path root, Path dir, Settings settings) throws IOException, InterruptedException {
        ChildProcesses processes = new ChildProcesses(root, dir);
        long started = System.nanoTime();
        try {
            ChaosStack stack = ChaosStack.start(processes, settings.workers(), settings.concurrency(),
                    settings.latency());
            System.out.printf(Locale.ROOT, "chaos: three broker nodes, two aggregators and %d workers up"
                    + " in %.1f s%n", settings.workers(), (System.nanoTime() - started) / 1e9);
            return new ChaosSession(processes, stack, settings);
        } catch (IOException | InterruptedException | RuntimeException e) {
            processes.close();
            throw e;
        }
    }

    /** Runs one fault by its id ({@code broker-kill}) during a batch of its own and returns its report line. */
    public Verdict run(String faultId) throws Exception {
        Fault fault = Fault.of(faultId);
        String batchId = "chaos-" + fault.id() + "-" + (++runs) + "-" + Long.toString(System.nanoTime() % 100_000, 36);
        FaultRun.Outcome outcome = FaultRun.run(stack, fault, batchId, settings.items(), settings.concurrency(),
                settings.pace());
        return new Verdict(outcome.passed(), outcome.line(), outcome.finishedAtInjection());
    }

    /** The cluster's bootstrap servers. */
    public String bootstrapServers() {
        return stack.servers();
    }

    /** The temporary cluster's directory, which its nodes remove once the broker command is gone. */
    public Path clusterDirectory() {
        return stack.clusterDir();
    }

    /** Stops the aggregators and workers cleanly (at once) while the cluster still runs. */
    public void stopServices() {
        stack.stopServices(SERVICE_STOP);
    }

    /** SIGKILL to the broker command alone, not to its nodes: they see their parent gone. */
    public void killBrokerCommand() {
        stack.broker().handle().destroyForcibly();
    }

    /** The ids of every fault, in the order {@code scripts/chaos} runs them. */
    public static List<String> faults() {
        return Fault.ids();
    }

    @Override
    public void close() {
        stack.stopServices(SERVICE_STOP);
        stack.close();
        processes.close();
    }

    /**
     * One fault's outcome.
     *
     * @param passed whether every item was accounted for and the reruns stayed within the fault's bound
     * @param line   {@code chaos broker-kill ALL-ITEMS-ACCOUNTED reruns 0 (bound 7500) ...}
     * @param finishedAtInjection items with a result when the fault's last step was done: fewer than the batch's
     *                            items if it landed while the batch ran
     */
    public record Verdict(boolean passed, String line, long finishedAtInjection) {
    }
}
