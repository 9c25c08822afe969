package dev.fanout.cli;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
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

    /** Whether the user named a cluster (flag or environment). */
    boolean given() {
        return bootstrapServers != null || System.getenv(KafkaSettings.ENV_BOOTSTRAP_SERVERS) != null;
    }

    KafkaSettings settings() {
        String servers = bootstrapServers != null ? bootstrapServers : System.getenv(KafkaSettings.ENV_BOOTSTRAP_SERVERS);
        if (servers == null) {
            throw new ConfigException("no Kafka given: pass --bootstrap-servers host:port or set "
                    + KafkaSettings.ENV_BOOTSTRAP_SERVERS + " (a dev broker: fanout broker --port 9092)");
        }
        return settings(servers);
    }

    /** Settings for the given servers with this command's prefix and partitions. */
    KafkaSettings settings(String servers) {
        String prefix = topicPrefix != null ? topicPrefix
                : System.getenv().getOrDefault(KafkaSettings.ENV_TOPIC_PREFIX, Topics.DEFAULT_PREFIX);
        KafkaSettings settings = KafkaSettings.of(servers).withTopicPrefix(prefix);
        return jobPartitions == null ? settings : settings.withPartitions(jobPartitions, settings.resultPartitions());
    }
}
