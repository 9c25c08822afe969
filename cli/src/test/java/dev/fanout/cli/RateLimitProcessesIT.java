package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Envelopes;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.RecordingDownstream;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group-wide rate limit as a user runs it: {@code fanout aggregator}, worker processes started with
 * {@code fanout worker --config worker.yaml} sharing {@code rateLimiters: {api: {limit: 100, period: 1s}}}, and
 * {@code fanout dispatch} of a batch naming the handler {@code api}, defined only in the workers' configuration. The
 * downstream notes when each request arrives: no sliding 1 s window may hold more than 100, also while a third worker
 * joins mid-batch. Each worker calls its own path, so the downstream tells them apart.
 *
 * <p>The bound holds while the spread of the delay between a worker sending a request and the downstream counting it
 * stays within the limiter's {@code guard}. Here six JVMs share two busy cores, and while the third worker's JVM
 * starts the others stall: the downstream counted nothing for 200 to 350 ms, then the held-up requests at once (with
 * a guard of 100 ms the busiest window reached 104). So these workers allow for it with {@code guard: 500ms}, and
 * send about 100 per 1.5 s.
 */
@ExtendWith(KafkaExtension.class)
class RateLimitProcessesIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final int LIMIT = 100;
    /**
     * Some 25 s at the limit. The third worker, started at the first request, joined 10 to 17 s (600 to 1,030 items)
     * in here, with 370 or more still to come: every sliding window before, during and after its join is checked.
     */
    private static final int ITEMS = 1_400;
    private static final String PARTITIONS = "6";

    @TempDir
    Path dir;

    private FanoutProcesses fanout;
    private RecordingDownstream downstream;
    private String servers;
    private String prefix;

    @BeforeEach
    void start(TestKafka kafka) {
        servers = kafka.bootstrapServers();
        prefix = "rate-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        fanout = new FanoutProcesses(dir);
        downstream = RecordingDownstream.start();
    }

    @AfterEach
    void stop() {
        fanout.close();
        downstream.close();
    }

    @Test
    void workerProcessesSharingALimitOf100PerSecondNeverSendMoreInAnySlidingSecondAsAThirdJoinsMidBatch()
            throws Exception {
        FanoutProcesses.Service aggregator = fanout.start("aggregator", "aggregator", "--bootstrap-servers",
                servers, "--topic-prefix", prefix, "--partitions", PARTITIONS, "--http-port", "0", "--state-dir",
                dir.resolve("state").toString());
        FanoutProcesses.Service first = worker("w1");
        FanoutProcesses.Service second = worker("w2");
        aggregator.awaitLine("aggregator .* running", START);
        first.awaitLine("owns 9 partitions", START); // 3 lanes of 6 partitions, half of each
        second.awaitLine("owns 9 partitions", START);

        FanoutProcesses.Service dispatch = fanout.start("dispatch", "dispatch", batch().toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--partitions", PARTITIONS,
                "--require-handlers", "--wait", "--json");
        await("the first request at the downstream").atMost(START).until(() -> {
            if (!dispatch.process().isAlive()) { // a dispatch that ended early says why, not a timeout
                throw new AssertionError("the dispatch ended (exit " + dispatch.process().exitValue()
                        + ") before any request:\n" + dispatch.output() + "\nw1:\n" + first.output());
            }
            return downstream.count() > 0;
        });
        long firstRequest = System.nanoTime();
        FanoutProcesses.Service third = worker("w3");
        third.awaitLine("owns 6 partitions", START);
        long atJoin = downstream.count();
        System.out.printf("the third worker joined %.1f s after the first request, with %d requests made%n",
                (System.nanoTime() - firstRequest) / 1e9, atJoin);
        assertThat(atJoin).as("requests when the third worker joined").isLessThan(ITEMS);
        first.awaitLine("owns 6 partitions", START);
        second.awaitLine("owns 6 partitions", START);

        assertThat(dispatch.awaitExit(Duration.ofMinutes(4))).as(dispatch.output()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(new FanoutProcesses.Finished(0, dispatch.output())
                .lastJson());
        assertThat(decision.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(decision.path("succeeded").asLong()).isEqualTo(ITEMS);
        assertThat(downstream.count()).isGreaterThanOrEqualTo(ITEMS);
        assertThat(downstream.count("/w3/")).as("requests of the worker that joined").isPositive();
        System.out.println("busiest 1 s window at the downstream: " + downstream.mostInAnyWindow(Duration.ofSeconds(1))
                + " requests; per worker: w1 " + downstream.count("/w1/") + ", w2 " + downstream.count("/w2/")
                + ", w3 " + downstream.count("/w3/") + "; mean " + Math.round(downstream.meanRatePerSecond()) + "/s");
        assertThat(downstream.mostInAnyWindow(Duration.ofSeconds(1))).as("requests in the busiest 1 s window")
                .isLessThanOrEqualTo(LIMIT)
                .isGreaterThanOrEqualTo(LIMIT * 6 / 10); // 100 per 1.5 s: about 67 in any second
    }

    private FanoutProcesses.Service worker(String id) throws IOException {
        return fanout.start(id, "worker", "--bootstrap-servers", servers, "--topic-prefix", prefix,
                "--partitions", PARTITIONS, "--config", workerConfig(id).toString(), "--worker-id", id);
    }

    /** The handler {@code api}: http to this worker's path, behind a bulkhead and the group's rate limiter. */
    private Path workerConfig(String id) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, """
                maxConcurrency: 10
                maxBuffered: 40
                heartbeatInterval: 300ms
                bulkheads:
                  api: {maxConcurrent: 10}
                rateLimiters:
                  api: {limit: %d, period: 1s, guard: 500ms}
                handlers:
                  api:
                    type: http
                    bulkhead: api
                    rateLimiter: api
                    settings:
                      url: "%s"
                """.formatted(LIMIT, downstream.url("/" + id + "/items/{{n}}")));
        return file;
    }

    private Path batch() throws IOException {
        Path file = dir.resolve("batch.yaml");
        StringBuilder yaml = new StringBuilder("handler: api\npolicy: {strategy: wait_all}\nitems:\n");
        IntStream.range(0, ITEMS).forEach(i -> yaml.append("  - {n: ").append(i).append("}\n"));
        Files.writeString(file, yaml);
        return file;
    }
}
