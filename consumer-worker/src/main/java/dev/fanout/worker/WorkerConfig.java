package dev.fanout.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Lane;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A worker's settings. Immutable; each value is checked at construction with a message that names it.
 *
 * @param kafka           how to reach Kafka and name the topics
 * @param groupId         the consumer group every worker of a deployment shares
 * @param workerId        this worker's name in results, dead letters and metrics
 * @param lanes           the jobs lanes it consumes
 * @param maxConcurrency  items running at once in this worker (a bulkhead)
 * @param maxBuffered     records fetched but not finished before fetching pauses (backpressure)
 * @param ordering        which items may overlap
 * @param commitInterval  how often finished offsets are committed
 * @param drainTimeout    how long a revoke or shutdown waits for in-flight items
 * @param maxRecordBytes  larger job records are dead-lettered as {@code OVERSIZED}
 * @param handlerSettings per handler name, the settings it is created with
 */
public record WorkerConfig(
        KafkaSettings kafka,
        String groupId,
        String workerId,
        List<Lane> lanes,
        int maxConcurrency,
        int maxBuffered,
        OrderingMode ordering,
        Duration commitInterval,
        Duration drainTimeout,
        int maxRecordBytes,
        Map<String, JsonNode> handlerSettings) {

    /** The group is named after the topic prefix, so deployments with different prefixes never share one. */
    public static final String DEFAULT_GROUP_SUFFIX = "workers";
    public static final int DEFAULT_MAX_CONCURRENCY = 64;
    public static final int DEFAULT_MAX_BUFFERED = 2_000;
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;

    public WorkerConfig {
        Objects.requireNonNull(kafka, "kafka");
        require(groupId != null && !groupId.isBlank(), "groupId must not be blank");
        require(workerId != null && workerId.matches("[A-Za-z0-9._-]+"),
                "workerId may hold only letters, digits, '.', '_' and '-', was '" + workerId + "'");
        require(lanes != null && !lanes.isEmpty(), "lanes must name at least one of high, normal, low");
        lanes = List.copyOf(lanes);
        require(maxConcurrency >= 1, "maxConcurrency must be >= 1, was " + maxConcurrency);
        require(maxBuffered >= maxConcurrency,
                "maxBuffered must be >= maxConcurrency (" + maxConcurrency + "), was " + maxBuffered);
        Objects.requireNonNull(ordering, "ordering");
        require(commitInterval != null && !commitInterval.isNegative() && !commitInterval.isZero(),
                "commitInterval must be positive, was " + commitInterval);
        require(drainTimeout != null && !drainTimeout.isNegative(), "drainTimeout must be >= 0, was " + drainTimeout);
        require(maxRecordBytes >= 1024, "maxRecordBytes must be >= 1024, was " + maxRecordBytes);
        handlerSettings = Map.copyOf(Objects.requireNonNullElse(handlerSettings, Map.of()));
    }

    /** Defaults on the given Kafka: every lane, 64 items at once, key ordering. */
    public static WorkerConfig of(KafkaSettings kafka) {
        return new WorkerConfig(kafka, defaultGroupId(kafka), defaultWorkerId(), List.of(Lane.values()),
                DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_BUFFERED, OrderingMode.KEY, DEFAULT_COMMIT_INTERVAL,
                DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_RECORD_BYTES, Map.of());
    }

    public WorkerConfig withWorkerId(String id) {
        return new WorkerConfig(kafka, groupId, id, lanes, maxConcurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlerSettings);
    }

    public WorkerConfig withGroupId(String group) {
        return new WorkerConfig(kafka, group, workerId, lanes, maxConcurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlerSettings);
    }

    /** Sets maxConcurrency, raising maxBuffered to keep it at least four times as large. */
    public WorkerConfig withMaxConcurrency(int concurrency) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, concurrency,
                Math.max(maxBuffered, Math.multiplyExact(Math.max(concurrency, 1), 4)), ordering, commitInterval,
                drainTimeout, maxRecordBytes, handlerSettings);
    }

    public WorkerConfig withOrdering(OrderingMode mode) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, maxConcurrency, maxBuffered, mode, commitInterval,
                drainTimeout, maxRecordBytes, handlerSettings);
    }

    public WorkerConfig withMaxRecordBytes(int bytes) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, maxConcurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, bytes, handlerSettings);
    }

    public WorkerConfig withHandlerSettings(Map<String, JsonNode> settings) {
        return new WorkerConfig(kafka, groupId, workerId, lanes, maxConcurrency, maxBuffered, ordering, commitInterval,
                drainTimeout, maxRecordBytes, settings);
    }

    /** {@code <topicPrefix>workers}, e.g. {@code fanout.workers}. */
    public static String defaultGroupId(KafkaSettings kafka) {
        return kafka.topicPrefix() + DEFAULT_GROUP_SUFFIX;
    }

    /** {@code worker-<host>-<pid>-<random>}: unique per process start. */
    public static String defaultWorkerId() {
        String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        String host = runtime.contains("@") ? runtime.substring(runtime.indexOf('@') + 1) : "local";
        host = host.replaceAll("[^A-Za-z0-9.-]", "-");
        return "worker-" + host + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 6);
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new ConfigException("worker." + message);
        }
    }
}
