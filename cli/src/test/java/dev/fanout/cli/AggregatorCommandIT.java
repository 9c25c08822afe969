package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.config.KafkaSettings;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout aggregator} run in this JVM: it serves {@code /readyz} once its partitions are assigned, keeps its
 * stores in the state directory it is given, and exits 1 when a real fault (its results topic deleted under it) kills
 * its stream threads.
 */
@ExtendWith(KafkaExtension.class)
class AggregatorCommandIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theAggregatorExitsWithCode1WhenItsStreamThreadsDie(TestKafka kafka, @TempDir Path state) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "cmd-" + run + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix);
        int port = FanoutProcesses.freePort();

        CompletableFuture<CommandOutput> aggregator = CompletableFuture.supplyAsync(() -> CommandOutput.run(
                "aggregator", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix,
                "--state-dir", state.toString(), "--http-port", String.valueOf(port)));
        URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
        await().atMost(Duration.ofSeconds(90)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200);
        assertThat(state.resolve(prefix + "aggregator")).as("stores in <state dir>/<application id>").isDirectory();

        try (Admin admin = Admin.create(settings.clientProperties())) {
            admin.deleteTopics(List.of(settings.topics().results().name())).all().get();
        }

        CommandOutput output = aggregator.get(3, TimeUnit.MINUTES);
        assertThat(output.exitCode()).isEqualTo(1);
        assertThat(output.err()).contains("fanout: the aggregator stopped (Kafka Streams state ")
                .contains("MissingSourceTopicException");
        assertThat(output.out()).contains("aggregator " + prefix + "aggregator running on ");
    }
}
