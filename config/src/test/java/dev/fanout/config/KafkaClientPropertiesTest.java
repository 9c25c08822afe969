package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client properties from a file and the environment, and secrets kept out of what Fanout prints. */
class KafkaClientPropertiesTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"fanout\" password=\"s3cret-pass\";";

    @TempDir
    Path dir;

    @Test
    void aPropertiesFileIsReadAsKafkasToolsReadIt() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # a comment
                security.protocol=SASL_SSL
                sasl.mechanism = SCRAM-SHA-512
                sasl.jaas.config=%s
                """.formatted(JAAS));

        assertThat(KafkaClientProperties.load(file)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS));
    }

    @Test
    void aMissingFileIsNamedWithWhatToGive() {
        assertThatThrownBy(() -> KafkaClientProperties.load(dir.resolve("nope.properties")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--command-config " + dir.resolve("nope.properties") + " is not a file")
                .hasMessageContaining("security.protocol=SASL_SSL");
    }

    @Test
    void fanoutKafkaVariablesNameClientProperties() {
        assertThat(KafkaClientProperties.fromEnvironment(Map.of("FANOUT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "FANOUT_KAFKA_SASL_JAAS_CONFIG", JAAS, "FANOUT_KAFKA_", "ignored", "FANOUT_TOPIC_PREFIX", "x.",
                "PATH", "/bin"))).containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_SSL",
                "sasl.jaas.config", JAAS));
    }

    @Test
    void secretsAreHiddenAndEverythingElseIsShown() {
        Map<String, String> properties = Map.of("sasl.jaas.config", JAAS, "ssl.truststore.password", "changeit",
                "ssl.key.password", "k3y", "ssl.keystore.key", "-----BEGIN", "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/etc/ca.jks", "sasl.mechanism", "SCRAM-SHA-512");

        assertThat(KafkaClientProperties.redacted(properties)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "sasl.jaas.config", "[hidden]", "ssl.truststore.password", "[hidden]", "ssl.key.password", "[hidden]",
                "ssl.keystore.key", "[hidden]", "security.protocol", "SASL_SSL",
                "ssl.truststore.location", "/etc/ca.jks", "sasl.mechanism", "SCRAM-SHA-512"));
        assertThat(KafkaClientProperties.scrub("failed with " + JAAS + " and changeit", properties))
                .isEqualTo("failed with [hidden] and [hidden]");
    }

    @Test
    void kafkaSettingsPrintNoSecret() {
        KafkaSettings settings = KafkaSettings.of("h:1").withClientOverrides(Map.of("sasl.jaas.config", JAAS,
                "security.protocol", "SASL_SSL"));

        assertThat(settings.toString()).doesNotContain("s3cret-pass").contains("sasl.jaas.config=[hidden]",
                "security.protocol=SASL_SSL", "replicationFactor=broker default");
    }

    @Test
    void replicationIsTheClustersDefaultUnlessGivenAndMinInsyncFitsIt() {
        assertThat(KafkaSettings.of("h:1").replicationFactor()).isEqualTo(KafkaSettings.BROKER_DEFAULT);
        assertThat(KafkaSettings.of("h:1").withReplication((short) 3, 2).minInsyncReplicas()).isEqualTo(2);
        assertThatThrownBy(() -> KafkaSettings.of("h:1").withReplication((short) 3, 4))
                .hasMessage("minInsyncReplicas must be from 1 to the replication factor (3), was 4");
        assertThatThrownBy(() -> KafkaSettings.of("h:1").withReplication((short) 0, null))
                .hasMessageContaining("replicationFactor must be >= 1 (or -1 for the cluster's default), was 0");
    }
}
