package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout scaling advise} in this JVM against the shared broker: what it reads, and what it needs. */
@ExtendWith(KafkaExtension.class)
class ScalingAdviseIT {

    @Test
    void itReadsTheLagPartitionsAndLatencyAndCapsTheAdviceAtThePartitions(TestKafka kafka) throws Exception {
        String prefix = "advise-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix);
        String lane = settings.topics().jobs(Lane.NORMAL).name();
        String results = settings.topics().results().name();
        try (Admin admin = Admin.create(settings.clientProperties());
                KafkaProducer<String, String> producer = new KafkaProducer<>(settings.clientProperties(),
                        new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(lane, 2, (short) 1), new NewTopic(results, 1, (short) 1)))
                    .all().get();
            for (int i = 0; i < 600; i++) {
                producer.send(new ProducerRecord<>(lane, i % 2, "k" + i, "{}"));
            }
            // two items that ran (200 and 400 ms of slot time) and one cancelled before it ran; each send is awaited,
            // so a record the broker did not take fails here rather than as a wrong mean below
            for (String result : List.of("{\"attempts\":1,\"durationMs\":200}", "{\"attempts\":2,\"durationMs\":400}",
                    "{\"attempts\":0,\"durationMs\":0}")) {
                producer.send(new ProducerRecord<>(results, "b", result)).get();
            }
            producer.flush();
        }

        CommandOutput advise = CommandOutput.run("scaling", "advise", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", prefix, "--lanes", "normal", "--concurrency", "4", "--drain-time", "9s", "--json");

        assertThat(advise.exitCode()).as(advise.err()).isZero();
        JsonNode json = Envelopes.mapper().readTree(advise.lastLine());
        assertThat(json.path("lanes").get(0).path("lag").asLong()).isEqualTo(600);
        assertThat(json.path("lanes").get(0).path("partitions").asInt()).isEqualTo(2);
        assertThat(json.path("latencyMs").asLong()).as("the mean of the two that ran").isEqualTo(300);
        assertThat(json.path("slots").asDouble()).as("600 x 0.3 s / 9 s").isEqualTo(20.0);
        assertThat(json.path("needed").asInt()).isEqualTo(5);
        assertThat(json.path("replicas").asInt()).as("2 partitions").isEqualTo(2);
        assertThat(json.path("limitedByPartitions").asBoolean()).isTrue();
        assertThat(json.path("running").asInt()).as("no worker in the registry").isZero();

        CommandOutput noResults = CommandOutput.run("scaling", "advise", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "advise-none-" + UUID.randomUUID() + ".");
        assertThat(noResults.exitCode()).isEqualTo(2);
        assertThat(noResults.err()).contains("no results to measure the handler latency from", "--latency");
    }
}
