package dev.fanout.bench.chaos;

import dev.fanout.bench.BenchOptions;
import dev.fanout.bench.ChildProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/chaos}: the fault suite. Starts a three-node cluster, two aggregators and three workers as child
 * processes, and runs each fault during a batch of its own ({@code --items}, default 20,000); prints one line per
 * fault with {@code ALL-ITEMS-ACCOUNTED} and the reruns, or {@code NOT-ACCOUNTED} and why. Exit code 0 only if every
 * fault passed.
 *
 * <p>Options: {@code --faults a,b} (default all: {@link Fault}), {@code --items N}, {@code --workers N} (3),
 * {@code --concurrency N} (16), {@code --latency-ms N} (20, the downstream's), {@code --pace X} (1.0: each fault's
 * batch lasts about its designed time; 0.5 halves it), {@code --keep-logs true}.
 */
public final class Chaos {

    private Chaos() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(Arrays.asList(args)));
    }

    public static int run(List<String> args) throws Exception {
        Map<String, String> options = BenchOptions.parse(args);
        ChaosSession.Settings defaults = ChaosSession.Settings.ofDefaults();
        ChaosSession.Settings settings = new ChaosSession.Settings(
                Long.parseLong(options.getOrDefault("items", Long.toString(defaults.items()))),
                Integer.parseInt(options.getOrDefault("workers", Integer.toString(defaults.workers()))),
                Integer.parseInt(options.getOrDefault("concurrency", Integer.toString(defaults.concurrency()))),
                Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms",
                        Long.toString(defaults.latency().toMillis())))),
                Double.parseDouble(options.getOrDefault("pace", Double.toString(defaults.pace()))));
        List<String> faults = options.containsKey("faults") ? List.of(options.get("faults").split(","))
                : ChaosSession.faults();
        faults.forEach(Fault::of); // unknown names fail before anything starts
        boolean keepLogs = Boolean.parseBoolean(options.getOrDefault("keep-logs", "false"));

        Path dir = Files.createTempDirectory("fanout-chaos-");
        System.out.println("chaos, " + Instant.now() + ": " + faults.size() + " faults, " + settings.items()
                + " items each, " + settings.workers() + " workers (maxConcurrency " + settings.concurrency()
                + "), two aggregators, three broker nodes; logs in " + dir);
        int passed = 0;
        boolean ok = false;
        try (ChaosSession session = ChaosSession.start(ChildProcesses.repositoryRoot(), dir, settings)) {
            System.out.println("chaos: cluster at " + session.bootstrapServers());
            for (String fault : faults) {
                System.out.println("chaos: " + fault + ": " + Fault.of(fault).description() + " ...");
                ChaosSession.Verdict verdict = session.run(fault);
                System.out.println(verdict.line());
                if (verdict.passed()) {
                    passed++;
                }
            }
            ok = passed == faults.size();
        } finally {
            System.out.println("chaos: " + passed + " of " + faults.size() + " faults ALL-ITEMS-ACCOUNTED");
            if (ok && !keepLogs) {
                BenchOptions.deleteTree(dir);
            } else {
                System.out.println("chaos: logs kept in " + dir);
            }
        }
        return ok ? 0 : 1;
    }
}
