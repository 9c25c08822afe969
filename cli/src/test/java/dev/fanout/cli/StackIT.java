package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/stack} as a user runs it: it starts the loopback topology (a broker, two aggregators, a worker,
 * Prometheus when installed), prints where each one is, and SIGTERM stops every process it started and removes
 * its temporary directory. Its own broker, not the shared one: the broker is part of what it starts.
 */
class StackIT {

    private static final Pattern PID = Pattern.compile("pid (\\d+)");
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path dir;

    @Test
    void theStackStartsItsTopologyAndSigtermStopsEveryProcessItStarted() throws Exception {
        Path log = dir.resolve("stack.log");
        ProcessBuilder builder = new ProcessBuilder(FanoutProcesses.root().resolve("scripts/stack").toString(),
                "--workers", "1", "--free-ports").redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(dir.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("FANOUT_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        builder.environment().put("TMPDIR", dir.toString());
        Process stack = builder.start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            await("stack ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!stack.isAlive()) {
                    throw new AssertionError("scripts/stack ended (exit " + stack.exitValue() + "):\n" + read(log));
                }
                return read(log).contains("Ctrl-C stops everything.");
            });
            String output = read(log);
            System.out.println(output);
            String ready = output.substring(output.indexOf("stack ready:"));
            List<String> lines = ready.lines().filter(line -> PID.matcher(line).find()).toList();
            boolean prometheus = MonitoringFiles.onPath("prometheus") != null;
            assertThat(lines).extracting(line -> line.strip().split(" +")[0]).containsExactlyElementsOf(prometheus
                    ? List.of("kafka", "aggregator-1", "aggregator-2", "worker-1", "prometheus")
                    : List.of("kafka", "aggregator-1", "aggregator-2", "worker-1"));
            started.addAll(stack.descendants().toList());
            for (String line : lines) {
                Matcher pid = PID.matcher(line);
                assertThat(pid.find()).isTrue();
                assertThat(ProcessHandle.of(Long.parseLong(pid.group(1)))).as(line).hasValueSatisfying(process ->
                        assertThat(process.isAlive()).isTrue());
            }
            assertThat(started.size()).as("the services and the broker's own JVM").isGreaterThan(lines.size());
            try (HttpClient client = HttpClient.newHttpClient()) {
                for (String line : lines.subList(1, lines.size())) {
                    Matcher url = URL.matcher(line);
                    assertThat(url.find()).as(line).isTrue();
                    String path = line.contains("prometheus") ? "/-/healthy" : "/healthz";
                    assertThat(status(client, url.group(1) + path)).as(line).isEqualTo(200);
                }
                Matcher worker = URL.matcher(lines.get(3));
                assertThat(worker.find()).isTrue();
                await("the worker is assigned partitions").atMost(Duration.ofMinutes(1))
                        .until(() -> status(client, worker.group(1) + "/readyz") == 200);
            }
            Matcher runDir = Pattern.compile("logs in (\\S+)").matcher(output);
            assertThat(runDir.find()).isTrue();

            stack.destroy(); // SIGTERM

            assertThat(stack.waitFor(2, TimeUnit.MINUTES)).as("the stack stops").isTrue();
            assertThat(stack.exitValue()).isEqualTo(143);
            await("every process the stack started is gone").atMost(Duration.ofSeconds(30))
                    .until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(read(log)).contains("stack: stopped");
            assertThat(Path.of(runDir.group(1))).as("its temporary directory is removed").doesNotExist();
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String read(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
