package dev.fanout.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One scenario of {@code scripts/bench.sh system}.
 *
 * @param name        a, b, c or d
 * @param items       items per batch
 * @param keys        distinct ordering keys over the items
 * @param concurrency {@code maxConcurrency} of each worker (and of each peer instance)
 * @param latencyMs   simulated latency per item; 0 for no-op items (the {@code echo} handler)
 * @param batches     batches per round: 1, or several small ones dispatched one after another (decision latency)
 */
record Scenario(String name, long items, int keys, int concurrency, long latencyMs, int batches) {

    /** The scenarios named by {@code --scenario a|b|c|d|all} (or a comma-separated list), with the overrides. */
    static List<Scenario> select(String which, Map<String, String> options) {
        int keys = Integer.parseInt(options.getOrDefault("keys", "10000"));
        long latency = Long.parseLong(options.getOrDefault("latency-ms", "20"));
        String items = options.get("items");
        List<Scenario> all = List.of(
                new Scenario("a", items == null ? 50_000 : Long.parseLong(items), keys, 200, latency, 1),
                new Scenario("b", items == null ? 100_000 : Long.parseLong(items), keys, 2_000, latency, 1),
                new Scenario("c", items == null ? 200_000 : Long.parseLong(items), keys, 200, 0, 1),
                new Scenario("d", Long.parseLong(options.getOrDefault("batch-items", "100")), keys, 200, 0,
                        Integer.parseInt(options.getOrDefault("batches", "20"))));
        List<Scenario> chosen = new ArrayList<>();
        for (String name : which.split(",")) {
            for (Scenario scenario : all) {
                if (name.equals("all") || name.equals(scenario.name)) {
                    chosen.add(scenario);
                }
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--scenario must be a, b, c, d, all or a list such as a,c; was '"
                    + which + "'");
        }
        return chosen;
    }

    /** The worker configuration's handler the batch names: {@code sim} (simulate) or {@code noop} (echo). */
    String handler() {
        return latencyMs == 0 ? "noop" : "sim";
    }

    /** Whether the scenario measures many small batches (decision latency) rather than one large one. */
    boolean latencyScenario() {
        return batches > 1;
    }

    /** Little's law: {@code workers x concurrency / latency} items per second; infinite for no-op items. */
    double littlesLaw(int workers) {
        return latencyMs == 0 ? Double.POSITIVE_INFINITY : workers * concurrency * 1000.0 / latencyMs;
    }

    String describe(int workers, int partitions) {
        String work = latencyMs == 0 ? "no-op items (handler noop: echo)"
                : "handler sim (simulate, " + latencyMs + " ms fixed)";
        if (latencyScenario()) {
            return String.format(Locale.ROOT, "scenario %s: %d batches of %,d %s, one after another, %d workers x"
                    + " concurrency %,d", name, batches, items, work, workers, concurrency);
        }
        String limit = latencyMs == 0 ? "" : String.format(Locale.ROOT, "; Little's law limit %,.0f items/s",
                littlesLaw(workers));
        return String.format(Locale.ROOT, "scenario %s: %,d items over %,d keys, %d partitions, %d workers x"
                + " concurrency %,d, %s%s", name, items, Math.min(keys, items), partitions, workers, concurrency,
                work, limit);
    }
}
