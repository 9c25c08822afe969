package dev.fanout.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmarks' entry point: {@code scripts/bench.sh SCENARIO [options]}. Each scenario starts and stops what it
 * needs (an embedded broker included) and prints its figures; none leaves a process behind.
 */
public final class Bench {

    /** One benchmark, run by name. */
    @FunctionalInterface
    interface Scenario {
        /** Runs with the options after the scenario name; returns the exit code. */
        int run(List<String> options) throws Exception;
    }

    /** Every scenario by name; a new benchmark adds itself here. */
    static final Map<String, Scenario> SCENARIOS = new TreeMap<>(Map.of(
            "chaos", dev.fanout.bench.chaos.Chaos::run,
            "dispatch", DispatchBenchmark::run,
            "scaleout", ScaleOutBenchmark::run,
            "system", SystemBenchmark::run,
            "worker", WorkerBenchmark::run));

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> all = Arrays.asList(args);
        if (all.contains("--help") || all.contains("-h")) {
            System.out.println(usage());
            System.exit(0);
        }
        if (args.length == 0 || !SCENARIOS.containsKey(args[0])) {
            System.err.println(usage() + (args.length == 0 ? "" : "\n(was '" + args[0] + "')"));
            System.exit(2);
        }
        List<String> options = all.subList(1, args.length);
        try {
            BenchOptions.parse(options); // every scenario takes --name value pairs: refuse anything else up front
        } catch (IllegalArgumentException badOption) {
            System.err.println("bench: " + badOption.getMessage() + "\n" + usage());
            System.exit(2);
        }
        System.exit(SCENARIOS.get(args[0]).run(options));
    }

    /** The usage line: the scenarios, and where their options are described. */
    static String usage() {
        return "usage: scripts/bench.sh SCENARIO [--option value ...]; scenarios: " + String.join(", ",
                SCENARIOS.keySet()) + ". Each scenario's options and defaults are in docs/PERFORMANCE.md (for example"
                + " scripts/bench.sh system --scenario a,c --rounds 3 --peer on).";
    }
}
