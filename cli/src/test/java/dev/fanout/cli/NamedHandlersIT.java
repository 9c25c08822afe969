package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.protocol.Envelopes;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handlers named only in a worker's configuration, run as a user runs them: an aggregator, workers started with
 * {@code fanout worker --config worker.yaml}, and {@code fanout dispatch}, each its own process. The dispatcher checks
 * handler names against the worker registry, not its own classpath.
 */
@ExtendWith(KafkaExtension.class)
class NamedHandlersIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final int BULKHEAD = 4;

    @TempDir
    Path dir;

    private FanoutProcesses fanout;
    private HttpServer downstream;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private String servers;
    private String prefix;

    @BeforeEach
    void start(TestKafka kafka) throws IOException {
        servers = kafka.bootstrapServers();
        prefix = "named-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        fanout = new FanoutProcesses(dir);
        downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        downstream.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        downstream.createContext("/users/", exchange -> {
            try (exchange) {
                // counted from arrival to just before the answer: within the time the caller holds its slot
                mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // a downstream that takes a while
                requests.incrementAndGet();
                running.decrementAndGet();
                String user = exchange.getRequestURI().getPath().substring("/users/".length());
                byte[] body = ("{\"user\":\"" + user + "\",\"plan\":\"gold\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        downstream.start();
    }

    @AfterEach
    void stop() {
        fanout.close();
        downstream.stop(0);
    }

    @Test
    void aBatchNamingAHandlerDefinedOnlyInTheWorkerConfigRunsThroughItsBulkheadAndAnUnknownNameIsRefused()
            throws Exception {
        FanoutProcesses.Service aggregator = fanout.start("aggregator", "aggregator", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--http-port", "0", "--state-dir", dir.resolve("state").toString());
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--config", workerConfig().toString(), "--worker-id", "named-w1");
        URI health = URI.create(worker.awaitLine("health at (http://\\S+)/healthz", START).group(1));
        readinessUntilReady(health);
        assertThat(worker.output()).as("ready only once the group assigned partitions").contains("owns ");
        aggregator.awaitLine("aggregator .* running", START);

        FanoutProcesses.Finished listed = fanout.run(START, "workers", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--json");
        assertThat(listed.exitCode()).isZero();
        JsonNode entry = Envelopes.mapper().readTree(listed.lastJson()).path("workers").path(0);
        assertThat(entry.path("state").asText()).isEqualTo("live");
        assertThat(entry.path("worker").path("workerId").asText()).isEqualTo("named-w1");
        assertThat(entry.path("worker").path("handlers").toString())
                .contains("{\"name\":\"users\",\"type\":\"http\"}");
        assertThat(entry.path("worker").path("endpoint").asText()).isEqualTo(health.toString());

        FanoutProcesses.Finished run = fanout.run(START, "dispatch", batch("users", 200).toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--wait", "--json");
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(run.lastJson());
        assertThat(decision.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(decision.path("succeeded").asLong()).isEqualTo(200);
        assertThat(requests.get()).as("every item called the downstream once").isEqualTo(200);
        assertThat(mostRunning.get()).as("the handler's named bulkhead").isBetween(1, BULKHEAD);

        FanoutProcesses.Finished refused = fanout.run(START, "dispatch", batch("userz", 3).toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix);
        assertThat(refused.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(refused.output()).contains("handler 'userz' is unknown; known handlers: echo, simulate, users"
                + " (served by the 1 live worker of lane normal: named-w1); define it under handlers in the workers'"
                + " configuration");
    }

    @Test
    void theRegistryForgetsAStoppedWorkerMarksAKilledOneGoneAndDispatchWarnsWhenNoWorkerIsLive() throws Exception {
        FanoutProcesses.Service stopped = fanout.start("w-stopped", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--config", workerConfig().toString(), "--worker-id", "w-stopped");
        FanoutProcesses.Service killed = fanout.start("w-killed", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--config", workerConfig().toString(), "--worker-id", "w-killed");
        stopped.awaitLine("owns \\d+ partitions", START);
        killed.awaitLine("owns \\d+ partitions", START);
        await().atMost(START).until(() -> states().equals(Map.of("w-killed", "live", "w-stopped", "live")));

        stopped.terminate();
        stopped.awaitExit(START);
        assertThat(stopped.output()).contains("worker w-stopped stopped");
        killed.kill();
        await("the stopped worker's tombstone, the killed one's missed heartbeats").atMost(START)
                .until(() -> states().equals(Map.of("w-killed", "gone")));

        Path batch = batch("users", 2);
        FanoutProcesses.Finished required = fanout.run(START, "dispatch", batch.toString(), "--bootstrap-servers",
                servers, "--topic-prefix", prefix, "--require-handlers");
        assertThat(required.exitCode()).isEqualTo(FanoutCommand.EXIT_INVALID);
        assertThat(required.output()).contains("no live worker consumes lane normal (" + prefix + "jobs.normal)")
                .contains("drop --require-handlers to publish anyway");

        FanoutProcesses.Finished warned = fanout.run(START, "dispatch", batch.toString(), "--bootstrap-servers",
                servers, "--topic-prefix", prefix);
        assertThat(warned.exitCode()).isZero();
        assertThat(warned.output()).contains("fanout: warning: no live worker consumes lane normal")
                .contains("2 items published to " + prefix + "jobs.normal");
    }

    private Map<String, String> states() throws IOException {
        FanoutProcesses.Finished listed = fanout.run(START, "workers", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--json");
        Map<String, String> states = new java.util.TreeMap<>();
        for (JsonNode row : Envelopes.mapper().readTree(listed.lastJson()).path("workers")) {
            states.put(row.path("worker").path("workerId").asText(), row.path("state").asText());
        }
        return states;
    }

    /** Polls /readyz until it answers 200 (anything else must be 503, not ready). */
    private static void readinessUntilReady(URI health) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(START).pollInterval(Duration.ofMillis(20)).until(() -> {
            int status = http.send(HttpRequest.newBuilder(health.resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).isIn(200, 503);
            return status == 200;
        });
        assertThat(http.send(HttpRequest.newBuilder(health.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("{\"status\":\"UP\"}");
    }

    private Path workerConfig() throws IOException {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, """
                maxConcurrency: 32
                heartbeatInterval: 300ms
                bulkheads:
                  user-api: {maxConcurrent: %d}
                rateLimiters:
                  user-api: {limit: 1000, period: 1s}
                handlers:
                  users:
                    type: http
                    bulkhead: user-api
                    rateLimiter: user-api
                    settings:
                      url: "http://127.0.0.1:%d/users/{{userId}}"
                      method: GET
                      body: none
                """.formatted(BULKHEAD, downstream.getAddress().getPort()));
        return file;
    }

    private Path batch(String handler, int items) throws IOException {
        Path file = dir.resolve(handler + "-" + items + ".yaml");
        StringBuilder yaml = new StringBuilder("handler: " + handler + "\npolicy: {strategy: wait_all}\nitems:\n");
        IntStream.range(0, items).forEach(i -> yaml.append("  - {userId: u").append(i).append("}\n"));
        Files.writeString(file, yaml);
        return file;
    }
}
