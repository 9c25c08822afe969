package dev.fanout.aggregator.dashboard;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.WorkerRegistry;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.WorkerStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /** {@code {"workers":[{"state":"live","worker":{...}}, ...]}}: each worker with its state at {@code now}. */
    public static Map<String, Object> document(List<WorkerStatus> workers, Instant now) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (WorkerStatus worker : workers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("state", worker.stateAt(now));
            row.put("worker", worker);
            rows.add(row);
        }
        return Map.of("workers", rows);
    }

    /** {@link #document} of the registry as read now, as JSON, or empty when the registry cannot be read now. */
    public static Optional<String> json(KafkaSettings kafka, InstantSource clock) {
        try {
            List<WorkerStatus> workers = WorkerRegistry.read(kafka, clock, WorkerRegistry.DEFAULT_LOOKBACK);
            return Optional.of(new String(Envelopes.encode(document(workers, clock.instant())),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.debug("dashboard: the worker registry cannot be read: {}", e.toString());
            return Optional.empty();
        }
    }
}
