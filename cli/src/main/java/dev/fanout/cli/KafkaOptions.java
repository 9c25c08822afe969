package dev.fanout.cli;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaClientProperties;
import dev.fanout.config.KafkaSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import dev.fanout.protocol.Topics;
import picocli.CommandLine.Option;

/** The options of every command that talks to Kafka. */
final class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka to use (default: $" + KafkaSettings.ENV_BOOTSTRAP_SERVERS + ").")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "Prefix of every Fanout topic (default: $" + KafkaSettings.ENV_TOPIC_PREFIX + " or "
                    + Topics.DEFAULT_PREFIX + ").")
    String topicPrefix;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions for jobs lanes Fanout creates (default: " + Topics.DEFAULT_JOB_PARTITIONS + ").")
    Integer jobPartitions;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...) for every client, as"
                    + " Kafka's own tools take them; $" + KafkaClientProperties.ENV_PREFIX + "<NAME> variables"
                    + " override it (" + KafkaClientProperties.ENV_PREFIX + "SECURITY_PROTOCOL=SASL_SSL).")
    Path commandConfig;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replicas of each partition of the topics Fanout creates (default: the cluster's"
                    + " default.replication.factor).")
    Short replicationFactor;

    @Option(names = "--min-insync-replicas", paramLabel = "N",
            description = "min.insync.replicas of the topics Fanout creates (default: the cluster's).")
    Integer minInsyncReplicas;

    /** The environment the options read ({@code System.getenv()}; a test gives its own). */
    Map<String, String> environment = System.getenv();

    /** Whether the user named a cluster (flag or environment). */
    boolean given() {
        return bootstrapServers != null || environment.get(KafkaSettings.ENV_BOOTSTRAP_SERVERS) != null;
    }

    KafkaSettings settings() {
        String servers = bootstrapServers != null ? bootstrapServers : environment.get(KafkaSettings.ENV_BOOTSTRAP_SERVERS);
        if (servers == null) {
            throw new ConfigException("no Kafka given: pass --bootstrap-servers host:port or set "
                    + KafkaSettings.ENV_BOOTSTRAP_SERVERS + " (a dev broker: fanout broker --port 9092)");
        }
        return settings(servers);
    }

    /**
     * Settings for the given servers with this command's prefix, partitions, replication and client properties
     * (the {@code --command-config} file, then {@code FANOUT_KAFKA_*} over it).
     */
    KafkaSettings settings(String servers) {
        String prefix = topicPrefix != null ? topicPrefix
                : environment.getOrDefault(KafkaSettings.ENV_TOPIC_PREFIX, Topics.DEFAULT_PREFIX);
        KafkaSettings settings = KafkaSettings.of(servers).withTopicPrefix(prefix);
        if (jobPartitions != null) {
            settings = settings.withPartitions(jobPartitions, settings.resultPartitions());
        }
        if (replicationFactor != null || minInsyncReplicas != null) {
            settings = settings.withReplication(replicationFactor == null ? KafkaSettings.BROKER_DEFAULT
                    : replicationFactor, minInsyncReplicas);
        }
        Map<String, String> client = new HashMap<>();
        if (commandConfig != null) {
            client.putAll(KafkaClientProperties.load(commandConfig));
        }
        client.putAll(KafkaClientProperties.fromEnvironment(environment));
        client.remove("bootstrap.servers"); // --bootstrap-servers names the cluster
        return client.isEmpty() ? settings : settings.withClientOverrides(client);
    }
}
