package dev.fanout.config;

import dev.fanout.protocol.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How every Fanout component reaches Kafka and names its topics. Immutable; validated at construction.
 *
 * @param bootstrapServers  {@code host:port[,host:port…]}
 * @param topicPrefix       prefix of every topic name, default {@value Topics#DEFAULT_PREFIX}
 * @param jobPartitions     partitions of each jobs lane when Fanout creates it
 * @param resultPartitions  partitions of the results, batches, batch-results and dead-letter topics
 * @param replicationFactor replication of the topics Fanout creates; {@value #BROKER_DEFAULT} for the cluster's
 *                          {@code default.replication.factor}
 * @param clientOverrides   extra Kafka client properties for every client (e.g. {@code security.protocol})
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics Fanout creates; {@code null} for the cluster's
 *                          default
 */
public record KafkaSettings(
        String bootstrapServers,
        String topicPrefix,
        int jobPartitions,
        int resultPartitions,
        short replicationFactor,
        Map<String, String> clientOverrides,
        Integer minInsyncReplicas) {

    public static final String BOOTSTRAP_SERVERS = "bootstrapServers";
    public static final String TOPIC_PREFIX = "topicPrefix";
    public static final String JOB_PARTITIONS = "jobPartitions";
    public static final String RESULT_PARTITIONS = "resultPartitions";
    public static final String REPLICATION_FACTOR = "replicationFactor";
    public static final String MIN_INSYNC_REPLICAS = "minInsyncReplicas";
    public static final String ENV_BOOTSTRAP_SERVERS = "FANOUT_BOOTSTRAP_SERVERS";
    public static final String ENV_TOPIC_PREFIX = "FANOUT_TOPIC_PREFIX";

    /** {@link #replicationFactor} that leaves it to the cluster ({@code default.replication.factor}). */
    public static final short BROKER_DEFAULT = -1;
    public static final short DEFAULT_REPLICATION_FACTOR = BROKER_DEFAULT;

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException(BOOTSTRAP_SERVERS + " is required: pass --bootstrap-servers host:port or set "
                    + ENV_BOOTSTRAP_SERVERS);
        }
        for (String server : bootstrapServers.split(",")) {
            if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
                throw new ConfigException(BOOTSTRAP_SERVERS + " must be host:port[,host:port...], was '"
                        + bootstrapServers + "'");
            }
        }
        topicPrefix = topicPrefix == null ? Topics.DEFAULT_PREFIX : topicPrefix;
        if (!topicPrefix.matches("[A-Za-z0-9._-]*")) {
            throw new ConfigException(TOPIC_PREFIX + " may hold only letters, digits, '.', '_' and '-', was '"
                    + topicPrefix + "'");
        }
        if (jobPartitions < 1) {
            throw new ConfigException(JOB_PARTITIONS + " must be >= 1, was " + jobPartitions);
        }
        if (resultPartitions < 1) {
            throw new ConfigException(RESULT_PARTITIONS + " must be >= 1, was " + resultPartitions);
        }
        if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT) {
            throw new ConfigException(REPLICATION_FACTOR + " must be >= 1 (or " + BROKER_DEFAULT
                    + " for the cluster's default), was " + replicationFactor);
        }
        if (minInsyncReplicas != null && (minInsyncReplicas < 1
                || replicationFactor != BROKER_DEFAULT && minInsyncReplicas > replicationFactor)) {
            throw new ConfigException(MIN_INSYNC_REPLICAS + " must be from 1 to the replication factor ("
                    + replicationFactor + "), was " + minInsyncReplicas);
        }
        clientOverrides = Map.copyOf(Objects.requireNonNullElse(clientOverrides, Map.of()));
    }

    /** Settings without a {@code min.insync.replicas} of their own. */
    public KafkaSettings(String bootstrapServers, String topicPrefix, int jobPartitions, int resultPartitions,
            short replicationFactor, Map<String, String> clientOverrides) {
        this(bootstrapServers, topicPrefix, jobPartitions, resultPartitions, replicationFactor, clientOverrides, null);
    }

    /** Default topics and partitions on the given servers. */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Topics.DEFAULT_PREFIX, Topics.DEFAULT_JOB_PARTITIONS,
                Topics.DEFAULT_RESULT_PARTITIONS, DEFAULT_REPLICATION_FACTOR, Map.of(), null);
    }

    public KafkaSettings withTopicPrefix(String prefix) {
        return new KafkaSettings(bootstrapServers, prefix, jobPartitions, resultPartitions, replicationFactor,
                clientOverrides, minInsyncReplicas);
    }

    public KafkaSettings withPartitions(int jobs, int results) {
        return new KafkaSettings(bootstrapServers, topicPrefix, jobs, results, replicationFactor, clientOverrides,
                minInsyncReplicas);
    }

    /** These settings with extra client properties, over the ones already set. */
    public KafkaSettings withClientOverrides(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(clientOverrides);
        merged.putAll(more);
        return new KafkaSettings(bootstrapServers, topicPrefix, jobPartitions, resultPartitions, replicationFactor,
                merged, minInsyncReplicas);
    }

    /**
     * These settings with the replication of the topics Fanout creates.
     *
     * @param factor  replicas per partition, or {@link #BROKER_DEFAULT}
     * @param minInsync {@code min.insync.replicas}, or {@code null} for the cluster's default
     */
    public KafkaSettings withReplication(short factor, Integer minInsync) {
        return new KafkaSettings(bootstrapServers, topicPrefix, jobPartitions, resultPartitions, factor,
                clientOverrides, minInsync);
    }

    /** The settings with secrets (passwords, JAAS configs, keys) shown as {@value KafkaClientProperties#HIDDEN}. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix
                + ", jobPartitions=" + jobPartitions + ", resultPartitions=" + resultPartitions
                + ", replicationFactor=" + (replicationFactor == BROKER_DEFAULT ? "broker default" : replicationFactor)
                + ", minInsyncReplicas=" + (minInsyncReplicas == null ? "broker default" : minInsyncReplicas)
                + ", clientOverrides=" + KafkaClientProperties.redacted(clientOverrides) + "]";
    }

    public Topics topics() {
        return new Topics(topicPrefix, jobPartitions, resultPartitions);
    }

    /** {@code bootstrap.servers} plus the overrides: the base of every client's properties. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>(clientOverrides);
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }
}
