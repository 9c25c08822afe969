package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Every command's Kafka options: the client properties file, the environment over it, replication. */
class KafkaOptionsTest {

    @TempDir
    Path dir;

    @Command(name = "test")
    static final class Probe {
        @Mixin
        KafkaOptions kafka;
    }

    private KafkaSettings parse(Map<String, String> environment, String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        probe.kafka.environment = environment;
        return probe.kafka.settings();
    }

    @Test
    void theCommandConfigFileSetsClientPropertiesAndTheEnvironmentOverridesIt() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SSL\nssl.truststore.location=/a.jks\nbootstrap.servers=x:1\n");

        KafkaSettings settings = parse(Map.of("FANOUT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                "--bootstrap-servers", "127.0.0.1:9092", "--command-config", file.toString());

        assertThat(settings.clientOverrides()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL", "ssl.truststore.location", "/a.jks"));
        assertThat(settings.clientProperties()).containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void replicationAndMinInsyncReplicasAreTakenFromTheFlags() {
        KafkaSettings settings = parse(Map.of(), "--bootstrap-servers", "h:1", "--replication-factor", "3",
                "--min-insync-replicas", "2");

        assertThat(settings.replicationFactor()).isEqualTo((short) 3);
        assertThat(settings.minInsyncReplicas()).isEqualTo(2);
        assertThat(parse(Map.of(), "--bootstrap-servers", "h:1").replicationFactor())
                .isEqualTo(KafkaSettings.BROKER_DEFAULT);
    }
}
