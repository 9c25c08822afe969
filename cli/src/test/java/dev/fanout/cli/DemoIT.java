package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Envelopes;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class DemoIT {

    @Test
    void theDemoWithItsOwnEmbeddedBrokerEndsWithCountsThatMatchTheDeadLetterTopic() throws Exception {
        CommandOutput output = CommandOutput.run("demo", "--items", "400", "--latency-ms", "2",
                "--failure-rate", "0.05", "--json");

        assertThat(output.exitCode()).isZero();
        JsonNode summary = Envelopes.mapper().readTree(output.lastLine());
        assertThat(summary.get("embeddedBroker").asBoolean()).isTrue();
        assertThat(summary.get("total").asLong()).isEqualTo(400);
        assertThat(summary.get("status").asText()).isEqualTo("SUCCEEDED_WITH_FAILURES");
        assertThat(summary.get("failed").asLong()).isPositive();
        assertThat(summary.get("deadLetterRecords").asLong()).isEqualTo(summary.get("failed").asLong());
        assertThat(summary.get("countsMatch").asBoolean()).isTrue();
        for (String field : new String[] {"batchId", "status", "total", "succeeded", "failed", "deadLettered",
                "wallMs"}) {
            assertThat(summary.has(field)).as(field).isTrue();
        }
    }

    @Test
    void theDemoOnAGivenClusterLeavesItsDecisionForStatusToRead(TestKafka kafka) throws Exception {
        String prefix = "demo-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        CommandOutput demo = CommandOutput.run("demo", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", prefix, "--items", "300", "--workers", "3", "--latency-ms", "1",
                "--failure-rate", "0.5", "--json");

        assertThat(demo.exitCode()).isZero();
        JsonNode summary = Envelopes.mapper().readTree(demo.lastLine());
        assertThat(summary.get("embeddedBroker").asBoolean()).isFalse();
        assertThat(summary.get("status").asText()).as("half the items fail: below minSuccessRate 0.9")
                .isEqualTo("FAILED");
        assertThat(summary.get("countsMatch").asBoolean()).isTrue();
        assertThat(demo.out()).contains("header fanout.batch-id=" + summary.get("batchId").asText());

        CommandOutput status = CommandOutput.run("status", summary.get("batchId").asText(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", prefix, "--json");

        assertThat(status.exitCode()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(status.lastLine());
        assertThat(decision.get("status").asText()).isEqualTo("FAILED");
        assertThat(decision.get("total").asLong()).isEqualTo(300);
        assertThat(decision.get("failed").asLong()).isEqualTo(summary.get("failed").asLong());
    }
}
