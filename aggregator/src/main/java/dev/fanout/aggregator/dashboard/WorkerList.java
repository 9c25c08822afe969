package dev.fanout.aggregator.dashboard;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.WorkerStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker registry as the dashboard shows it: {@code fanout workers --json}'s shape, each worker with its state. */
public final class WorkerList {

    private static final Logger log = LoggerFactory.getLogger(WorkerList.class);

    private WorkerList() {
    }

    /** {@code {"workers":[{"state":"live","worker":{...}}, ...]}}, or empty when the registry cannot be read now. */
    public static Optional<String> json(KafkaSettings kafka, InstantSource clock) {
        try {
            List<WorkerStatus> workers = WorkerRegistry.read(kafka, clock, WorkerRegistry.DEFAULT_LOOKBACK);
            Instant now = clock.instant();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (WorkerStatus worker : workers) {
                rows.add(Map.of("state", worker.stateAt(now), "worker", worker));
            }
            return Optional.of(new String(Envelopes.encode(Map.of("workers", rows)), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.debug("dashboard: the worker registry cannot be read: {}", e.toString());
            return Optional.empty();
        }
    }
}
