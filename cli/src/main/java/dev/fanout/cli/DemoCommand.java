package dev.fanout.cli;

import dev.fanout.config.ConfigException;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fanout demo}, the main job: an embedded broker (unless {@code --bootstrap-servers}), an aggregator and
 * workers, one batch of simulated items with failures, live progress and a summary whose counts are checked against
 * the dead-letter topic.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fan a batch of simulated items out to workers on a real Kafka, dead-letter the failures, fan"
                + " in, and check the counts. Starts an embedded broker unless --bootstrap-servers is given.")
final class DemoCommand implements Callable<Integer> {

    /** Exit code when the batch was decided but its counts do not add up. */
    static final int EXIT_COUNTS_MISMATCH = 5;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--items", defaultValue = "10000", description = "Items in the batch (default: ${DEFAULT-VALUE}).")
    long items;

    @Option(names = "--workers", defaultValue = "2", description = "Worker instances (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--concurrency", defaultValue = "64",
            description = "Items running at once per worker (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--latency-ms", defaultValue = "20",
            description = "Mean simulated item latency, uniform 0.5x-1.5x (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(names = "--failure-rate", defaultValue = "0.02",
            description = "Share of items that fail and are dead-lettered (default: ${DEFAULT-VALUE}).")
    double failureRate;

    @Option(names = "--min-success-rate", defaultValue = "0.9",
            description = "The batch policy's minSuccessRate (best_effort) (default: ${DEFAULT-VALUE}).")
    double minSuccessRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "10m", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "End with one JSON object: the summary.")
    boolean json;

    @Option(names = "--verbose", description = "Show the services' INFO logs (on stderr).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (items < 1) {
            throw new ConfigException("--items must be >= 1, was " + items);
        }
        if (workers < 1 || workers > 32) {
            throw new ConfigException("--workers must be between 1 and 32, was " + workers);
        }
        if (concurrency < 1) {
            throw new ConfigException("--concurrency must be >= 1, was " + concurrency);
        }
        if (latencyMs < 0) {
            throw new ConfigException("--latency-ms must be >= 0, was " + latencyMs);
        }
        if (failureRate < 0 || failureRate > 1) {
            throw new ConfigException("--failure-rate must be between 0 and 1, was " + failureRate);
        }
        if (!verbose) {
            Logs.quiet();
        }
        BatchPolicy policy = BatchPolicy.of(Strategy.BEST_EFFORT, minSuccessRate, PartialFailurePolicy.CONTINUE);
        DemoRun.Options options = new DemoRun.Options(items, workers, concurrency, latencyMs, failureRate, seed,
                policy, dev.fanout.config.Durations.parse(timeout, "--timeout"));
        DemoSummary summary;
        try (DemoRun run = DemoRun.start(kafka, options, System.out)) {
            summary = run.execute();
        }
        System.out.print(summary.text());
        if (json) {
            System.out.println(Json.line(summary));
        }
        return summary.countsMatch() ? 0 : EXIT_COUNTS_MISMATCH;
    }
}
