package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A worker's entry in the registry: the compacted {@code <prefix>workers} topic, keyed by {@code workerId}. Each
 * worker publishes one every {@code heartbeatInterval} and a tombstone when it stops cleanly; a worker whose last
 * entry is older than {@link #GONE_AFTER_HEARTBEATS} intervals is gone. Dispatchers check a batch's handler names
 * against the live workers' {@code handlers}.
 *
 * @param schemaVersion     the envelope version
 * @param workerId          the worker's name (results and dead letters carry it too)
 * @param groupId           its consumer group
 * @param host              the host it runs on
 * @param pid               its process id
 * @param version           Fanout's version, or {@code development}
 * @param handlers          the handler names jobs can use on it, each with its type
 * @param lanes             the jobs lanes it consumes ({@code high}, {@code normal}, {@code low})
 * @param partitions        the partitions it owns now ({@code topic-partition})
 * @param concurrency       items it may run at once now (the bulkhead's limit)
 * @param inFlight          items fetched and not yet finished
 * @param running           items holding a slot now
 * @param utilisation       busy slot time / available slot time since the previous heartbeat, 0 to 1
 * @param healthy           false when it cannot do its whole job (e.g. it cannot follow the control topic)
 * @param problem           why it is unhealthy, or {@code null}
 * @param endpoint          where its health endpoints answer ({@code http://127.0.0.1:PORT}), or {@code null}
 * @param startedAt         when it started
 * @param lastSeen          when this entry was made
 * @param heartbeatInterval how often it publishes an entry
 * @param shareLanes        those of its lanes it consumes through a share group rather than the consumer group
 *                          (absent when none, as in entries of earlier releases)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerStatus(
        int schemaVersion,
        String workerId,
        String groupId,
        String host,
        long pid,
        String version,
        List<Handler> handlers,
        List<Lane> lanes,
        List<String> partitions,
        int concurrency,
        int inFlight,
        int running,
        double utilisation,
        boolean healthy,
        String problem,
        String endpoint,
        Instant startedAt,
        Instant lastSeen,
        Duration heartbeatInterval,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Lane> shareLanes) implements Envelopes.Versioned {

    /** Heartbeats a worker may miss before it counts as gone. */
    public static final int GONE_AFTER_HEARTBEATS = 3;

    public WorkerStatus {
        Envelopes.require(workerId, "workerId");
        Envelopes.require(groupId, "groupId");
        handlers = List.copyOf(Objects.requireNonNullElse(handlers, List.of()));
        lanes = List.copyOf(Objects.requireNonNullElse(lanes, List.of()));
        partitions = List.copyOf(Objects.requireNonNullElse(partitions, List.of()));
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        shareLanes = List.copyOf(Objects.requireNonNullElse(shareLanes, List.of()));
    }

    /** A handler as a worker offers it: the name jobs use and the type that runs it. */
    public record Handler(String name, String type) {
        public Handler {
            Envelopes.require(name, "handlers[].name");
            Envelopes.require(type, "handlers[].type");
        }
    }

    /** {@code live}, {@code unhealthy} or {@code gone} (missed {@value #GONE_AFTER_HEARTBEATS} heartbeats). */
    public String stateAt(Instant now) {
        if (!liveAt(now)) {
            return "gone";
        }
        return healthy ? "live" : "unhealthy";
    }

    /** Whether it heartbeated within {@link #GONE_AFTER_HEARTBEATS} intervals before {@code now}. */
    public boolean liveAt(Instant now) {
        return !lastSeen.plus(heartbeatInterval.multipliedBy(GONE_AFTER_HEARTBEATS)).isBefore(now);
    }

    /** Whether it offers a handler under {@code name}. */
    public boolean serves(String name) {
        return handlers.stream().anyMatch(handler -> handler.name().equals(name));
    }
}
