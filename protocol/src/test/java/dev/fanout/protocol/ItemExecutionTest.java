package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemExecutionTest {

    @Test
    void jobRecordsCarryExecutionSettingsThroughTheCodec() throws Exception {
        ItemExecution execution = new ItemExecution(
                new RetrySettings(Duration.ofSeconds(2), 3.0, null, 4, List.of("Boom")),
                Duration.ofSeconds(30), TimeoutPolicy.CONTINUE,
                Envelopes.mapper().readTree("{\"type\":\"object\"}"), false);
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, "b", "0", 0, 1L, "echo", null,
                Envelopes.mapper().createObjectNode(), "t", 1, Instant.parse("2026-11-22T00:00:00Z"), null, execution);

        JobRecord decoded = Envelopes.decode(Envelopes.encode(job), JobRecord.class);

        assertThat(decoded).isEqualTo(job);
        assertThat(decoded.execution().deadLetters()).isFalse();
        assertThat(decoded.withAttempt(3).attempt()).isEqualTo(3);
        assertThat(new String(Envelopes.encode(job))).contains("\"onTimeout\":\"continue\"");
    }

    @Test
    void badRetrySettingsNameTheField() {
        assertThatThrownBy(() -> new RetrySettings(null, 0.5, null, null, null))
                .hasMessageContaining("retry.backoffCoefficient");
        assertThatThrownBy(() -> new RetrySettings(null, null, null, 0, null))
                .hasMessageContaining("retry.maximumAttempts");
    }
}
