package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void durationsAreReadInHumanAndIsoForms() {
        assertThat(Durations.parse("250ms", "timeout")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s", "timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m", "timeout")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h", "timeout")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("PT1M", "timeout")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void aBadDurationNamesThePropertyAndTheAcceptedForms() {
        assertThatThrownBy(() -> Durations.parse("soon", "policy.totalTimeout"))
                .hasMessage("policy.totalTimeout must be a duration such as 250ms, 30s, 5m or PT1M, was 'soon'");
    }

    @Test
    void kafkaSettingsRefuseMissingOrMalformedServersWithTheFix() {
        assertThatThrownBy(() -> KafkaSettings.of(null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pass --bootstrap-servers host:port or set FANOUT_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> KafkaSettings.of("localhost"))
                .hasMessageContaining("bootstrapServers must be host:port[,host:port...], was 'localhost'");
        assertThatThrownBy(() -> KafkaSettings.of("h:1").withTopicPrefix("bad prefix"))
                .hasMessageContaining("topicPrefix may hold only letters");
        assertThatThrownBy(() -> KafkaSettings.of("h:1").withPartitions(0, 1))
                .hasMessageContaining("jobPartitions must be >= 1, was 0");
    }

    @Test
    void topicNamesFollowThePrefix() {
        KafkaSettings settings = KafkaSettings.of("h:1,h:2").withTopicPrefix("team-a.");
        assertThat(settings.topics().results().name()).isEqualTo("team-a.results");
        assertThat(settings.clientProperties()).containsEntry("bootstrap.servers", "h:1,h:2");
    }
}
