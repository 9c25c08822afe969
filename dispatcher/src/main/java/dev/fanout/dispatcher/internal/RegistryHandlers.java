package dev.fanout.dispatcher.internal;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.dispatcher.HandlerNames;
import dev.fanout.dispatcher.HandlerResolver;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Handler names from the worker registry: those the live workers of the batch's lane serve. The registry is read at
 * most once per {@link #FRESH_FOR} (a dispatch checks the batch, validates the items, then plans them).
 */
public final class RegistryHandlers implements HandlerResolver {

    /** How long one read of the registry answers for. */
    public static final Duration FRESH_FOR = Duration.ofSeconds(2);

    private final KafkaSettings kafka;
    private final InstantSource clock;
    private final boolean requireWorkers;
    private final Consumer<String> warnings;
    private final Map<Lane, Boolean> warned = new EnumMap<>(Lane.class);
    private List<WorkerStatus> workers;
    private Instant readAt;

    public RegistryHandlers(KafkaSettings kafka, InstantSource clock, boolean requireWorkers,
            Consumer<String> warnings) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requireWorkers = requireWorkers;
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    @Override
    public synchronized HandlerNames namesFor(Lane lane) {
        Instant now = clock.instant();
        if (workers == null || Duration.between(readAt, now).compareTo(FRESH_FOR) > 0) {
            workers = WorkerRegistry.read(kafka, clock, WorkerRegistry.DEFAULT_LOOKBACK);
            readAt = now;
        }
        List<WorkerStatus> live = workers.stream()
                .filter(worker -> worker.liveAt(now) && worker.lanes().contains(lane)).toList();
        String topic = kafka.topics().jobs(lane).name();
        if (live.isEmpty()) {
            String none = "no live worker consumes lane " + lane.id() + " (" + topic + ") in the worker registry "
                    + kafka.topics().workers().name();
            if (requireWorkers) {
                throw new ConfigException(none + ", so the batch's handler names cannot be checked; start a worker"
                        + " (fanout worker --config FILE), or drop --require-handlers to publish anyway");
            }
            if (warned.put(lane, true) == null) {
                warnings.accept(none + "; publishing without checking handler names: items wait on the lane, and a"
                        + " worker that lacks a batch's handler dead-letters its items as UNKNOWN_HANDLER");
            }
            return HandlerNames.any(none);
        }
        Set<String> served = new TreeSet<>();
        live.forEach(worker -> worker.handlers().forEach(handler -> served.add(handler.name())));
        String ids = live.stream().map(WorkerStatus::workerId).limit(5).collect(Collectors.joining(", "))
                + (live.size() > 5 ? ", ..." : "");
        return HandlerNames.of(served, "served by the " + live.size() + " live worker" + (live.size() == 1 ? "" : "s")
                + " of lane " + lane.id() + ": " + ids, "define it under handlers in the workers' configuration"
                + " (--config) and restart them, or use one of the known names");
    }
}
