package dev.fanout.cli;

import dev.fanout.aggregator.dashboard.WorkerList;
import dev.fanout.config.Durations;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout workers}: the worker registry, one line per worker, live ones first. */
@Command(name = "workers", mixinStandardHelpOptions = true,
        description = "List the workers in the worker registry (<prefix>workers): each one's handlers, lanes,"
                + " partitions, concurrency, items in flight and utilisation. A worker that missed "
                + WorkerStatus.GONE_AFTER_HEARTBEATS + " heartbeats is shown as gone; one that stopped cleanly is"
                + " not listed.")
final class WorkersCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--json", description = "Print one JSON object: {\"workers\": [...]}, each with its state.")
    boolean json;

    @Option(names = "--since", defaultValue = "10m", paramLabel = "DURATION",
            description = "List workers heard from within this time (default: ${DEFAULT-VALUE}).")
    String since;

    @Override
    public Integer call() {
        Logs.quiet();
        Duration lookback = Durations.parse(since, "--since");
        InstantSource clock = InstantSource.system();
        List<WorkerStatus> workers = WorkerRegistry.read(kafka.settings(), clock, lookback);
        Instant now = clock.instant();
        PrintStream out = System.out;
        if (json) {
            out.println(Json.line(WorkerList.document(workers, now)));
            return 0;
        }
        if (workers.isEmpty()) {
            out.println("no workers heard from in the last " + since + " (start one: fanout worker --config FILE)");
            return 0;
        }
        out.printf(Locale.ROOT, "%-28s %-9s %-8s %-15s %11s %9s %5s  %-10s %s%n", "WORKER", "STATE", "SEEN",
                "LANES", "CONCURRENCY", "IN FLIGHT", "UTIL", "PARTITIONS", "HANDLERS (TYPE)");
        workers.stream().sorted((a, b) -> Boolean.compare(!a.liveAt(now), !b.liveAt(now))).forEach(worker ->
                out.printf(Locale.ROOT, "%-28s %-9s %-8s %-15s %11d %9d %4.0f%%  %-10s %s%n", worker.workerId(),
                        worker.stateAt(now), ago(worker.lastSeen(), now),
                        worker.lanes().stream().map(lane -> worker.shareLanes().contains(lane) ? lane.id() + ":share"
                                : lane.id()).collect(Collectors.joining(",")),
                        worker.concurrency(), worker.inFlight(), worker.utilisation() * 100,
                        Integer.toString(worker.partitions().size()),
                        worker.handlers().stream().map(h -> h.name().equals(h.type()) ? h.name()
                                : h.name() + "(" + h.type() + ")").collect(Collectors.joining(", "))));
        workers.stream().filter(worker -> !worker.healthy() && worker.liveAt(now)).forEach(worker ->
                out.println("  " + worker.workerId() + " is unhealthy: " + worker.problem()));
        return 0;
    }


    private static String ago(Instant then, Instant now) {
        long seconds = Math.max(0, Duration.between(then, now).toSeconds());
        return seconds < 120 ? seconds + "s ago" : seconds / 60 + "m ago";
    }
}
