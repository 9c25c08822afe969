package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneGroups;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.protocol.Lane;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.UUID;

/**
 * A worker's settings. Immutable; each value is checked at construction with a message that names it. Read from a
 * YAML file, the environment and flags by {@link WorkerConfigLoader}; property names are the constants below.
 *
 * @param kafka          how to reach Kafka and name the topics
 * @param groupId        the consumer group every worker of a deployment shares
 * @param workerId       this worker's name in results, dead letters and metrics
 * @param lanes          the jobs lanes it consumes
 * @param concurrency    items running at once in this worker (a bulkhead; fixed or adaptive)
 * @param maxBuffered    records fetched but not finished before fetching pauses (backpressure)
 * @param ordering       which items may overlap
 * @param commitInterval how often finished offsets are committed
 * @param drainTimeout   how long a revoke or shutdown waits for in-flight items
 * @param maxRecordBytes larger job records are dead-lettered as {@code OVERSIZED}
 * @param handlers       handlers offered under names jobs use, beyond the built-in defaults
 * @param bulkheads      named bulkheads handlers may share
 * @param rateLimiters   named group-wide rate limits handlers may share
 * @param lanePolicy     which lane's waiting item starts next: strict priority or weighted
 * @param heartbeatInterval how often it publishes its entry to the worker registry
 * @param httpHost       the address its health endpoints listen on
 * @param httpPort       the port of its health endpoints: 0 for a free one, -1 for none
 * @param shareLanes     the lanes consumed through a share group ({@link LaneGroup#SHARE}) rather than the consumer
 *                       group: a subset of {@code lanes}, allowed only with {@code ordering: unordered}
 */
public record WorkerConfig(
        KafkaSettings kafka,
        String groupId,
        String workerId,
        List<Lane> lanes,
        Concurrency concurrency,
        int maxBuffered,
        OrderingMode ordering,
        Duration commitInterval,
        Duration drainTimeout,
        int maxRecordBytes,
        Map<String, HandlerSpec> handlers,
        Map<String, BulkheadSpec> bulkheads,
        Map<String, RateLimitSpec> rateLimiters,
        LanePolicy lanePolicy,
        Duration heartbeatInterval,
        String httpHost,
        int httpPort,
        Set<Lane> shareLanes) {

    public static final String GROUP_ID = "groupId";
    public static final String WORKER_ID = "workerId";
    public static final String LANES = "lanes";
    /** A lane's own group, {@code lanes: {normal: {group: share}}}; and the worker-wide default, {@link #LANE_GROUP}. */
    public static final String GROUP = "group";
    public static final String LANE_GROUP = "laneGroup";
    public static final String MAX_CONCURRENCY = "maxConcurrency";
    public static final String AUTO_CONCURRENCY = "autoConcurrency";
    public static final String MAX_BUFFERED = "maxBuffered";
    public static final String ORDERING = "ordering";
    public static final String COMMIT_INTERVAL = "commitInterval";
    public static final String DRAIN_TIMEOUT = "drainTimeout";
    public static final String MAX_RECORD_BYTES = "maxRecordBytes";
    public static final String HANDLERS = "handlers";
    public static final String BULKHEADS = "bulkheads";
    public static final String RATE_LIMITERS = "rateLimiters";
    public static final String LANE_PRIORITY = "lanePriority";
    public static final String LANE_WEIGHTS = "laneWeights";
    public static final String HEARTBEAT_INTERVAL = "heartbeatInterval";
    public static final String HTTP_HOST = "httpHost";
    public static final String HTTP_PORT = "httpPort";

    /** The group is named after the topic prefix, so deployments with different prefixes never share one. */
    public static final String DEFAULT_GROUP_SUFFIX = LaneGroups.DEFAULT_GROUP_SUFFIX;
    public static final int DEFAULT_MAX_CONCURRENCY = Concurrency.DEFAULT_MAX;
    public static final int DEFAULT_MAX_BUFFERED = 2_000;
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

    public WorkerConfig {
        Objects.requireNonNull(kafka, "kafka");
        require(groupId != null && !groupId.isBlank(), GROUP_ID + " must not be blank");
        require(workerId != null && workerId.matches("[A-Za-z0-9._-]+"),
                WORKER_ID + " may hold only letters, digits, '.', '_' and '-', was '" + workerId + "'");
        require(lanes != null && !lanes.isEmpty(), LANES + " must name at least one of high, normal, low");
        lanes = List.copyOf(lanes);
        Objects.requireNonNull(concurrency, "concurrency");
        require(maxBuffered >= concurrency.max(), MAX_BUFFERED + " must be >= " + MAX_CONCURRENCY + " ("
                + concurrency.max() + "), was " + maxBuffered);
        Objects.requireNonNull(ordering, "ordering");
        require(commitInterval != null && !commitInterval.isNegative() && !commitInterval.isZero(),
                COMMIT_INTERVAL + " must be positive, was " + commitInterval);
        require(drainTimeout != null && !drainTimeout.isNegative(), DRAIN_TIMEOUT + " must be >= 0, was " + drainTimeout);
        require(maxRecordBytes >= 1024, MAX_RECORD_BYTES + " must be >= 1024, was " + maxRecordBytes);
        handlers = Map.copyOf(Objects.requireNonNullElse(handlers, Map.of()));
        bulkheads = Map.copyOf(Objects.requireNonNullElse(bulkheads, Map.of()));
        rateLimiters = Map.copyOf(Objects.requireNonNullElse(rateLimiters, Map.of()));
        lanePolicy = Objects.requireNonNullElse(lanePolicy, LanePolicy.strict());
        require(heartbeatInterval != null && heartbeatInterval.toMillis() >= 100,
                HEARTBEAT_INTERVAL + " must be at least 100ms, was " + heartbeatInterval);
        require(httpHost != null && !httpHost.isBlank(), HTTP_HOST + " must not be blank");
        require(httpPort >= ServiceEndpoints.DISABLED && httpPort <= 65_535, HTTP_PORT
                + " must be a port (1-65535), 0 for a free one or -1 for none, was " + httpPort);
        shareLanes = shareLanes == null || shareLanes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(shareLanes));
        for (Lane lane : new TreeSet<>(shareLanes)) {
            require(lanes.contains(lane), LANES + "." + lane.id() + "." + GROUP + " is share, but the worker does not"
                    + " consume lane " + lane.id() + " (its lanes: " + ids(lanes) + ")");
            require(ordering == OrderingMode.UNORDERED, LANES + "." + lane.id() + "." + GROUP + ": share needs "
                    + ORDERING + ": unordered (a share group hands one partition's records to several workers at once,"
                    + " so no order can hold), was " + ORDERING + ": " + ordering.id() + "; set " + ORDERING
                    + ": unordered, or keep the lane on the consumer group (" + GROUP + ": consumer)");
        }
        for (Map.Entry<String, HandlerSpec> handler : new TreeMap<>(handlers).entrySet()) {
            String bulkhead = handler.getValue().bulkhead();
            require(bulkhead == null || bulkheads.containsKey(bulkhead), HANDLERS + "." + handler.getKey()
                    + ".bulkhead names '" + bulkhead + "', which is not under " + BULKHEADS + " (known: "
                    + new TreeMap<>(bulkheads).keySet() + ")");
            String limiter = handler.getValue().rateLimiter();
            require(limiter == null || rateLimiters.containsKey(limiter), HANDLERS + "." + handler.getKey()
                    + ".rateLimiter names '" + limiter + "', which is not under " + RATE_LIMITERS + " (known: "
                    + new TreeMap<>(rateLimiters).keySet() + ")");
        }
    }

    /** Defaults on the given Kafka: every lane, 64 items at once, key ordering, the built-in handlers. */
    public static WorkerConfig of(KafkaSettings kafka) {
        return new WorkerConfig(kafka, defaultGroupId(kafka), defaultWorkerId(), List.of(Lane.values()),
                Concurrency.fixed(DEFAULT_MAX_CONCURRENCY), DEFAULT_MAX_BUFFERED, OrderingMode.KEY,
                DEFAULT_COMMIT_INTERVAL, DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_RECORD_BYTES, Map.of(), Map.of(), Map.of(),
                LanePolicy.strict(),
                DEFAULT_HEARTBEAT_INTERVAL, ServiceEndpoints.DEFAULT_HOST, ServiceEndpoints.FREE_PORT, Set.of());
    }

    /** {@code <topicPrefix>workers}, e.g. {@code fanout.workers}. */
    public static String defaultGroupId(KafkaSettings kafka) {
        return LaneGroups.defaultGroupId(kafka);
    }

    /** {@code worker-<host>-<pid>-<random>}: unique per process start. */
    public static String defaultWorkerId() {
        String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        String host = runtime.contains("@") ? runtime.substring(runtime.indexOf('@') + 1) : "local";
        host = host.replaceAll("[^A-Za-z0-9.-]", "-");
        return "worker-" + host + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 6);
    }

    public WorkerConfig withWorkerId(String id) {
        return new WorkerConfig(kafka, groupId, id, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    public WorkerConfig withGroupId(String group) {
        return new WorkerConfig(kafka, group, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    /** Sets the lanes consumed; those of them on a share group stay there. */
    public WorkerConfig withLanes(List<Lane> newLanes) {
        Set<Lane> kept = shareLanes.stream().filter(newLanes::contains).collect(Collectors.toUnmodifiableSet());
        return new WorkerConfig(kafka, groupId, workerId, newLanes, concurrency, maxBuffered, ordering,
                commitInterval, drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy,
                heartbeatInterval, httpHost, httpPort, kept);
    }

    /** Puts these of its lanes on a share group and the others on the consumer group. */
    public WorkerConfig withShareLanes(Set<Lane> lanesOnShareGroup) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval,
                httpHost, httpPort, lanesOnShareGroup);
    }

    /** The group a lane is consumed through. */
    public LaneGroup groupOf(Lane lane) {
        return shareLanes.contains(lane) ? LaneGroup.SHARE : LaneGroup.CONSUMER;
    }

    /** Its lanes on the consumer group, in configured order. */
    public List<Lane> consumerLanes() {
        return lanes.stream().filter(lane -> !shareLanes.contains(lane)).toList();
    }

    /** Sets a fixed concurrency, raising maxBuffered to keep it at least four times as large. */
    public WorkerConfig withMaxConcurrency(int limit) {
        return withConcurrency(Concurrency.fixed(limit));
    }

    /** Sets the concurrency, raising maxBuffered to keep it at least four times its maximum. */
    public WorkerConfig withConcurrency(Concurrency newConcurrency) {
        int buffered = Math.max(maxBuffered, Math.multiplyExact(newConcurrency.max(), 4));
        return new WorkerConfig(kafka, groupId, workerId, lanes, newConcurrency, buffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    public WorkerConfig withMaxBuffered(int records) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, records, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost,
                httpPort, shareLanes);
    }

    public WorkerConfig withOrdering(OrderingMode mode) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, mode, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    public WorkerConfig withMaxRecordBytes(int bytes) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, bytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    public WorkerConfig withDrainTimeout(Duration timeout) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                timeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    public WorkerConfig withLanePolicy(LanePolicy policy) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, policy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    /** Sets how often the worker heartbeats into the registry. */
    public WorkerConfig withHeartbeatInterval(Duration interval) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, interval, httpHost,
                httpPort, shareLanes);
    }

    /** Sets where the health endpoints listen: port 0 for a free one, -1 for none. */
    public WorkerConfig withHttp(String host, int port) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlers, bulkheads, rateLimiters, lanePolicy, heartbeatInterval, host,
                port, shareLanes);
    }

    /** Sets the handlers and the named limits they refer to. */
    public WorkerConfig withHandlers(Map<String, HandlerSpec> newHandlers, Map<String, BulkheadSpec> newBulkheads,
            Map<String, RateLimitSpec> newRateLimiters) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, newHandlers, newBulkheads, newRateLimiters, lanePolicy, heartbeatInterval, httpHost, httpPort, shareLanes);
    }

    private static String ids(List<Lane> lanes) {
        return lanes.stream().map(Lane::id).collect(Collectors.joining(", "));
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new ConfigException("worker." + message);
        }
    }
}
