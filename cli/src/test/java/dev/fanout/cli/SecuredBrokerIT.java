package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.broker.internal.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow against a secured broker: {@code fanout broker --sasl-ssl} (SCRAM-SHA-512 over TLS, a self-signed
 * certificate), then an aggregator, a worker, a dispatch whose failures are dead-lettered, the replay of those dead
 * letters to a fixed worker and {@code fanout status}, each a {@code fanout} process given the broker's client
 * settings with {@code --command-config}; no log or output of any of them, nor the results API, shows the password.
 * A wrong password and an untrusted certificate each end a command with one line saying what to check, no stack
 * trace, and no secret.
 */
class SecuredBrokerIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final int ITEMS = 300;

    @TempDir
    Path dir;

    private FanoutProcesses fanout;

    @AfterEach
    void stop() {
        if (fanout != null) {
            fanout.close();
        }
    }

    @Test
    void aBatchWithDeadLettersAndTheirReplayRunsOnASaslSslBrokerWithNoPasswordShownAndBadCredentialsOrTrustGiveOneClearLine()
            throws Exception {
        fanout = new FanoutProcesses(dir);
        FanoutProcesses.Service broker = fanout.start("broker", "broker", "--port", "0", "--sasl-ssl",
                "--http-port", "-1", "--data-dir", dir.resolve("broker").toString());
        String servers = broker.awaitLine("ready at (\\S+);", START).group(1);
        Path clientConfig = Path.of(broker.awaitLine("are in (\\S+)$", START).group(1));
        String settings = Files.readString(clientConfig);
        assertThat(settings).contains("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512");
        String password = settings.replaceAll("(?s).*password=\"([^\"]+)\".*", "$1");
        assertThat(broker.output()).doesNotContain(password);

        String[] kafka = {"--bootstrap-servers", servers, "--command-config", clientConfig.toString()};
        FanoutProcesses.Service aggregator = fanout.start("aggregator", concat(new String[] {"aggregator",
                "--http-port", "0", "--state-dir", dir.resolve("state").toString()}, kafka));
        FanoutProcesses.Service worker = fanout.start("worker", concat(new String[] {"worker", "--config",
                workerConfig(0.05).toString(), "--worker-id", "secure-w1"}, kafka));
        worker.awaitLine("owns \\d+ partitions", START);
        String api = aggregator.awaitLine("aggregator .* running.*results API at (http://[^;\\s]+)", START).group(1);
        FanoutProcesses.Finished dispatch = fanout.run(START, concat(new String[] {"dispatch", batch().toString(),
                "--wait", "--json"}, kafka));
        JsonNode decision = dev.fanout.protocol.Envelopes.mapper().readTree(dispatch.lastJson());
        assertThat(decision.path("status").asText()).as(dispatch.output()).isEqualTo("SUCCEEDED_WITH_FAILURES");
        long deadLettered = decision.path("deadLettered").asLong();
        assertThat(deadLettered).isPositive();
        assertThat(decision.path("succeeded").asLong()).isEqualTo(ITEMS - deadLettered);

        // the downstream is fixed (the worker restarts without failures) and the dead letters are replayed
        worker.terminate();
        assertThat(worker.awaitExit(START)).isNotNegative();
        fanout.start("worker-fixed", concat(new String[] {"worker", "--config", workerConfig(0).toString(),
                "--worker-id", "secure-w1"}, kafka)).awaitLine("owns \\d+ partitions", START);
        FanoutProcesses.Finished replay = fanout.run(START, concat(new String[] {"dlq", "replay", "--batch",
                "secured", "--json"}, kafka));
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(dev.fanout.protocol.Envelopes.mapper().readTree(replay.lastJson()).path("replayed").asLong())
                .isEqualTo(deadLettered);
        JsonNode revised = await("the replays revise the batch").atMost(START).until(() -> dev.fanout.protocol
                .Envelopes.mapper().readTree(fanout.run(START, concat(new String[] {"status", "secured", "--json",
                        "--aggregator-url", api}, kafka)).lastJson()),
                status -> status.path("succeeded").asLong() == ITEMS); // replays read apart make a revision each
        assertThat(revised.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(revised.path("revision").asInt()).isGreaterThan(1);
        HttpResponse<String> batch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(api + "/batches/secured")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(batch.body()).contains("\"succeeded\":" + ITEMS).doesNotContain(password);
        assertNoFileShows(password);

        // the two refused commands run side by side: each ends on its own refusal
        Path wrongPassword = dir.resolve("wrong-password.properties");
        Files.writeString(wrongPassword, settings.replace(password, "not-the-password-at-all"));
        FanoutProcesses.Service refused = fanout.start("worker-wrong-password", "worker", "--config",
                workerConfig(0).toString(), "--bootstrap-servers", servers, "--command-config",
                wrongPassword.toString());
        Path otherCertificate = TlsMaterial.create(Files.createDirectories(dir.resolve("other")), "stranger")
                .certificate();
        Path untrusted = dir.resolve("untrusted.properties");
        Files.writeString(untrusted, settings.replaceAll("ssl.truststore.location=.*",
                "ssl.truststore.location=" + otherCertificate));
        FanoutProcesses.Service distrusted = fanout.start("worker-untrusted", "worker", "--config",
                workerConfig(0).toString(), "--bootstrap-servers", servers, "--command-config", untrusted.toString());
        assertOneLine(refused.finish(START), "refused the credentials", "not-the-password-at-all");
        assertOneLine(distrusted.finish(START), "TLS handshake", password);
    }

    private static void assertOneLine(FanoutProcesses.Finished run, String says, String secret) {
        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        List<String> errors = run.output().lines().filter(line -> line.startsWith("fanout: ")
                && !line.startsWith("fanout: using JDK")).toList();
        assertThat(errors).as(run.output()).singleElement().asString().contains(says);
        assertThat(run.output()).as("no stack trace").doesNotContain("\tat ", "Caused by:");
        assertThat(run.output()).doesNotContain(secret);
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /**
     * No log or output of any process of the run shows it: each command's output is a {@code .log} file in the test's
     * folder (the broker's data, with its binary segment files, is below it). Read as bytes, whatever they are.
     */
    private void assertNoFileShows(String password) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> logs = files.filter(Files::isRegularFile).filter(file -> file.toString().endsWith(".log"))
                    .toList();
            assertThat(logs).hasSizeGreaterThan(5);
            for (Path log : logs) {
                assertThat(new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1)).as(log.toString())
                        .doesNotContain(password);
            }
        }
    }

    private Path workerConfig(double failureRate) throws IOException {
        Path file = dir.resolve("worker-" + failureRate + ".yaml");
        Files.writeString(file, """
                maxConcurrency: 16
                handlers:
                  sim: {type: simulate, settings: {latencyMs: 2, distribution: fixed, failureRate: %s, seed: 11}}
                """.formatted(failureRate));
        return file;
    }

    private Path batch() throws IOException {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, "batchId: secured\nhandler: sim\npolicy: {strategy: best_effort, minSuccessRate: 0.5}\nitems:\n"
                + IntStream.range(0, ITEMS)
                .mapToObj(i -> "  - {n: " + i + "}").collect(Collectors.joining("\n", "", "\n")));
        return file;
    }
}
