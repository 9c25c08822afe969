package dev.fanout.cli;

import dev.fanout.config.Durations;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneGroups;
import dev.fanout.config.LaneLag;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import dev.fanout.worker.WorkerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout scaling}: how many workers the lanes need. */
@Command(name = "scaling", mixinStandardHelpOptions = true, subcommands = ScalingCommand.Advise.class,
        description = "Scaling advice for the workers: see fanout scaling advise --help.")
final class ScalingCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code fanout scaling advise}: Little's law on the lanes' lag, with the limits that apply. */
    @Command(name = "advise", mixinStandardHelpOptions = true,
            description = "Advise how many workers drain the jobs lanes within --drain-time, by Little's law:"
                    + " lag x handler latency / drain time = slots busy on average, divided by each worker's"
                    + " concurrency. Reads the lag per lane (the worker group's committed offsets against the end"
                    + " offsets), partitions per lane, the workers and their concurrency from the worker registry,"
                    + " and the handler latency from the latest results. A consumer-group lane gives work to at most"
                    + " one worker per partition; a share-group lane has no such cap. --keda writes a KEDA"
                    + " ScaledObject and the Deployment it scales instead.")
    static final class Advise implements Callable<Integer> {

        /** Results read per partition of the results topic for the observed latency. */
        static final int RESULTS_PER_PARTITION = 500;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--drain-time", defaultValue = "5m", paramLabel = "DURATION",
                description = "How soon the backlog should be gone (default: ${DEFAULT-VALUE}).")
        String drainTime;

        @Option(names = "--lanes", defaultValue = "high,normal,low", paramLabel = "LANES",
                description = "Lanes the workers consume, comma-separated (default: ${DEFAULT-VALUE}).")
        String lanes;

        @Option(names = "--workers", paramLabel = "N",
                description = "Workers running now (default: the live workers in the registry).")
        Integer workers;

        @Option(names = "--concurrency", paramLabel = "N",
                description = "Items one worker runs at once (default: the live workers' mean, else "
                        + WorkerConfig.DEFAULT_MAX_CONCURRENCY + ").")
        Integer concurrency;

        @Option(names = "--latency", paramLabel = "DURATION",
                description = "Mean time an item holds a slot, e.g. 120ms (default: the mean of the latest results).")
        String latency;

        @Option(names = "--min-replicas", defaultValue = "1", paramLabel = "N",
                description = "Fewest workers to advise; 0 lets an idle deployment scale to zero (default: ${DEFAULT-VALUE}).")
        int minReplicas;

        @Option(names = "--max-replicas", defaultValue = "100", paramLabel = "N",
                description = "Most workers to advise (default: ${DEFAULT-VALUE}).")
        int maxReplicas;

        @Option(names = "--since", defaultValue = "10m", paramLabel = "DURATION",
                description = "Count workers heard from within this time (default: ${DEFAULT-VALUE}).")
        String since;

        @Option(names = "--json", description = "Print one JSON object with the inputs and the advice.")
        boolean json;

        @Option(names = "--keda", description = "Print a KEDA ScaledObject and the worker Deployment it scales"
                + " (YAML, the advice as comments) instead of the table.")
        boolean keda;

        @Option(names = "--name", defaultValue = "fanout-worker",
                description = "Name of the Deployment and the ScaledObject (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--namespace", description = "Their namespace (default: none, the current one).")
        String namespace;

        @Option(names = "--image", defaultValue = "fanout:latest",
                description = "The fanout image (docker/Dockerfile; default: ${DEFAULT-VALUE}).")
        String image;

        @Option(names = "--prometheus-url", defaultValue = "http://prometheus:9090", paramLabel = "URL",
                description = "The Prometheus KEDA asks for a share-group lane's lag (default: ${DEFAULT-VALUE}).")
        String prometheusUrl;

        @Override
        public Integer call() {
            Logs.quiet();
            List<Lane> consumed = lanes(); // the flags first: a typo costs no round trip to Kafka
            Duration drain = Durations.parse(drainTime, "--drain-time");
            Duration lookback = Durations.parse(since, "--since");
            Optional<Duration> givenLatency = Optional.ofNullable(latency).map(text -> Durations.parse(text, "--latency"));
            KafkaSettings settings = kafka.settings();
            InstantSource clock = InstantSource.system();
            List<WorkerStatus> registry = WorkerRegistry.read(settings, clock, lookback);
            Instant now = clock.instant();
            List<WorkerStatus> live = registry.stream()
                    .filter(worker -> worker.liveAt(now) && worker.lanes().stream().anyMatch(consumed::contains))
                    .toList();
            Map<Lane, LaneLag.LaneGroup> groups = new LinkedHashMap<>();
            consumed.forEach(lane -> groups.put(lane, LaneGroups.of(lane, settings, registry, now)));
            List<LaneLag.Reading> loads = LaneLag.read(settings, groups);

            int slotsPerWorker = concurrency != null ? concurrency : live.isEmpty()
                    ? WorkerConfig.DEFAULT_MAX_CONCURRENCY
                    : (int) Math.round(live.stream().mapToInt(WorkerStatus::concurrency).average().orElse(1));
            String concurrencySource = concurrency != null ? "--concurrency" : live.isEmpty()
                    ? "the worker default; no live worker in the registry" : "mean of " + live.size()
                    + " live workers in the registry";
            Optional<ObservedLatency> observed = givenLatency.isPresent() ? Optional.empty()
                    : ObservedLatency.read(settings, RESULTS_PER_PARTITION);
            if (givenLatency.isEmpty() && observed.isEmpty()) {
                throw new IllegalArgumentException("no results to measure the handler latency from on "
                        + settings.topics().results().name() + "; pass --latency DURATION (e.g. --latency 120ms)");
            }
            Duration meanLatency = givenLatency.orElseGet(() -> observed.get().mean());
            String latencySource = givenLatency.isPresent() ? "--latency" : String.format(Locale.ROOT,
                    "mean of the latest %,d results", observed.get().results());
            ScalingAdvice advice = ScalingAdvice.of(loads, new ScalingAdvice.Inputs(slotsPerWorker, meanLatency,
                    drain, minReplicas, maxReplicas));
            int running = workers != null ? workers : live.size();
            ScalingReport report = new ScalingReport(advice, running, concurrencySource, latencySource);
            PrintStream out = System.out;
            if (keda) {
                report.lines().forEach(line -> out.println("# " + line));
                out.print(KedaManifests.render(advice, new KedaManifests.Target(name, namespace, image, settings,
                        prometheusUrl)));
            } else if (json) {
                out.println(Json.line(report.document()));
            } else {
                report.lines().forEach(out::println);
            }
            return 0;
        }

        private List<Lane> lanes() {
            try {
                return Arrays.stream(lanes.split(",")).map(String::strip).map(Lane::of).distinct().toList();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--lanes takes high, normal and low, comma-separated, was '"
                        + lanes + "'", e);
            }
        }
    }
}
