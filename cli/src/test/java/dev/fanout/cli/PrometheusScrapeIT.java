package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Envelopes;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}) scraping a worker, an aggregator and a running dispatch, each a
 * {@code fanout} process: the series exist with the values the batch implies, and every metric the checked-in
 * dashboard and alert rules query is one the services export.
 */
@ExtendWith(KafkaExtension.class)
class PrometheusScrapeIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final int ITEMS = 3_000;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private FanoutProcesses fanout;

    @AfterEach
    void stop() {
        if (fanout != null) {
            fanout.close();
        }
    }

    @Test
    void prometheusScrapesEveryServiceAndTheCountsMatchTheBatch(TestKafka kafka) throws Exception {
        Path prometheusBinary = MonitoringFiles.onPath("prometheus");
        assumeTrue(prometheusBinary != null || "true".equals(System.getenv("CI")),
                "prometheus is not installed (apt-get install prometheus); CI installs it and runs this test");
        assertThat(prometheusBinary).as("CI installs prometheus before the tests").isNotNull();
        fanout = new FanoutProcesses(dir);
        String servers = kafka.bootstrapServers();
        String prefix = "prom-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        int workerPort = FanoutProcesses.freePort();
        int aggregatorPort = FanoutProcesses.freePort();
        int dispatchPort = FanoutProcesses.freePort();
        int prometheusPort = FanoutProcesses.freePort();

        FanoutProcesses.Service aggregator = fanout.start("aggregator", "aggregator", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--http-port", Integer.toString(aggregatorPort),
                "--state-dir", dir.resolve("state").toString());
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--config", workerConfig().toString(), "--worker-id", "prom-w1",
                "--http-port", Integer.toString(workerPort));
        worker.awaitLine("owns \\d+ partitions", START);
        aggregator.awaitLine("aggregator .* running", START);
        FanoutProcesses.Service prometheus = startPrometheus(prometheusBinary, prometheusPort,
                List.of("127.0.0.1:" + workerPort, "127.0.0.1:" + aggregatorPort, "127.0.0.1:" + dispatchPort));
        String api = "http://127.0.0.1:" + prometheusPort;
        // scraping before the dispatch starts, so that its paced publishing (3 s) is scraped several times: the
        // dispatch command now takes about 2.5 s to start, and a run once ended before Prometheus's first scrape of it
        await("Prometheus scrapes the worker and the aggregator").atMost(START).pollInterval(Duration.ofMillis(250))
                .until(() -> value(api, "count(up{job=\"fanout\"} == 1)") == 2);

        FanoutProcesses.Service dispatch = fanout.start("dispatch", "dispatch", batch().toString(),
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--http-port",
                Integer.toString(dispatchPort), "--wait", "--json");
        assertThat(dispatch.awaitExit(START)).as(dispatch.output()).isZero();
        JsonNode decision = Envelopes.mapper().readTree(dispatch.output().lines()
                .filter(line -> line.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        long failed = decision.path("failed").asLong();
        assertThat(decision.path("total").asLong()).isEqualTo(ITEMS);
        assertThat(failed).isPositive();

        await("Prometheus has scraped the finished batch").atMost(START).pollInterval(Duration.ofMillis(500))
                .until(() -> value(api, "sum(fanout_worker_items_total{event=~\"succeeded|failed\"})") == ITEMS);
        assertThat(value(api, "sum(fanout_worker_items_total{event=\"failed\"})")).isEqualTo(failed);
        assertThat(value(api, "sum(fanout_worker_dead_letters_total)")).as("failures equal the dead letters")
                .isEqualTo(failed);
        assertThat(value(api, "sum(fanout_worker_handler_failed_total{handler=\"sim\"})")).isEqualTo(failed);
        assertThat(value(api, "sum(fanout_worker_handler_latency_seconds_count{handler=\"sim\"})"))
                .isEqualTo(ITEMS);
        assertThat(value(api, "sum(fanout_worker_handler_duration_seconds_bucket{handler=\"sim\",le=\"+Inf\"})"))
                .as("the bucketed histogram counts every attempt").isEqualTo(ITEMS);
        assertThat(value(api, "histogram_quantile(0.5, sum by (le) (fanout_worker_handler_duration_seconds_bucket"
                + "{handler=\"sim\"}))")).as("2 ms handlers: the median is well under 50 ms").isBetween(0.0, 0.05);
        await("Prometheus has scraped the decided batch's speed-up").atMost(START)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> value(api, "sum(fanout_aggregator_batch_speedup_count)") == 1);
        assertThat(value(api, "sum(fanout_aggregator_batch_speedup_sum)")).isPositive();
        assertThat(value(api, "max(max_over_time(fanout_dispatcher_items_published_total[10m]))"))
                .as("scraped while it published (its series went stale when it ended)")
                .isBetween(1.0, (double) ITEMS);
        assertThat(value(api, "count(max_over_time(fanout_kafka_producer_record_send_rate{client_id=\"fanout-dispatcher\"}"
                + "[10m]))")).as("the dispatcher's producer metrics").isEqualTo(1);
        assertThat(value(api, "sum(fanout_aggregator_decisions_total{status=\"succeeded_with_failures\"})"))
                .isEqualTo(1);
        assertThat(value(api, "count(up{job=\"fanout\"} == 1)")).as("worker and aggregator").isEqualTo(2);
        String normalLane = "fanout_lane_lag{lane=\"normal\",group=\"" + prefix + "workers\",topic=\"" + prefix
                + "jobs.normal\"}";
        double lag = await("the aggregator exports the lane's lag on the workers' group").atMost(START)
                .pollInterval(Duration.ofMillis(500)).until(() -> value(api, "max(" + normalLane + ")"),
                        value -> !Double.isNaN(value));
        assertThat(lag).as("records of the lane not yet finished").isBetween(0.0, (double) ITEMS);

        Set<String> exported = new TreeSet<>();
        for (int port : List.of(workerPort, aggregatorPort)) {
            exported.addAll(names(get(URI.create("http://127.0.0.1:" + port + "/metrics"))));
        }
        exported.addAll(names(prometheusNames(api)));
        List<String> queries = new ArrayList<>(MonitoringFiles.dashboardQueries());
        queries.addAll(MonitoringFiles.alertQueries());
        assertThat(exported).as("every metric the dashboard and the alerts query is exported")
                .containsAll(MonitoringFiles.metricNames(queries));
        prometheus.kill();
    }

    private FanoutProcesses.Service startPrometheus(Path binary, int port, List<String> targets) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 500ms}
                scrape_configs:
                  - job_name: fanout
                    scrape_interval: 500ms
                    static_configs:
                      - targets: [%s]
                """.formatted(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())));
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        FanoutProcesses.Service service = fanout.adopt("prometheus", process, log);
        await("Prometheus is ready").atMost(START).ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                .until(() -> get(URI.create("http://127.0.0.1:" + port + "/-/ready")).contains("Ready"));
        return service;
    }

    private double value(String api, String query) throws Exception {
        JsonNode answer = Envelopes.mapper().readTree(get(URI.create(api + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))));
        JsonNode result = answer.path("data").path("result");
        return result.isEmpty() ? Double.NaN : result.path(0).path("value").path(1).asDouble();
    }

    private String prometheusNames(String api) throws Exception {
        JsonNode answer = Envelopes.mapper().readTree(get(URI.create(api + "/api/v1/label/__name__/values")));
        StringBuilder names = new StringBuilder();
        answer.path("data").forEach(name -> names.append(name.asText()).append(" 1\n"));
        return names.toString();
    }

    /** The metric names of a Prometheus text exposition. */
    private static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).forEach(names::add);
        return names;
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private Path workerConfig() throws IOException {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, """
                maxConcurrency: 64
                handlers:
                  sim:
                    type: simulate
                    retry: {maximumAttempts: 1}
                    settings: {latencyMs: 2, distribution: fixed, failureRate: 0.05, seed: 7}
                """);
        return file;
    }

    private Path batch() throws IOException {
        Path file = dir.resolve("batch.yaml");
        StringBuilder yaml = new StringBuilder("handler: sim\npolicy: {strategy: best_effort, minSuccessRate: 0.5}\n"
                + "rateLimit: 1000\nitems:\n");
        IntStream.range(0, ITEMS).forEach(i -> yaml.append("  - {n: ").append(i).append("}\n"));
        Files.writeString(file, yaml);
        return file;
    }
}
