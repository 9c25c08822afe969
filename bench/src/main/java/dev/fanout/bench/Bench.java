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
        if (args.length == 0 || !SCENARIOS.containsKey(args[0])) {
            System.err.println("usage: scripts/bench.sh SCENARIO [options]; scenarios: "
                    + String.join(", ", SCENARIOS.keySet())
                    + (args.length == 0 ? "" : " (was '" + args[0] + "')"));
            System.exit(2);
        }
        System.exit(SCENARIOS.get(args[0]).run(Arrays.asList(args).subList(1, args.length)));
    }
}
