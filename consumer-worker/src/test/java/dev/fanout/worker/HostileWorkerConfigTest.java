package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/TESTING.md for the worker configuration (file and environment): each row is a
 * hostile setting and the exact error it gets.
 */
class HostileWorkerConfigTest {

    private static final KafkaSettings KAFKA = KafkaSettings.of("127.0.0.1:9092");

    @TempDir
    Path dir;

    static Stream<Arguments> configs() {
        return Stream.of(
                row("worker: unknown field `colour`", "colour: red\n", Map.of(), "worker.yaml: unknown field 'colour';"
                        + " known fields: [autoConcurrency, bulkheads, commitInterval, drainTimeout, groupId, handlers,"
                        + " heartbeatInterval, httpHost, httpPort, laneGroup, lanePriority, laneWeights, lanes,"
                        + " maxBuffered, maxConcurrency, maxRecordBytes, ordering, rateLimiters, workerId]"),
                row("worker: `maxConcurrency: lots`", "maxConcurrency: lots\n", Map.of(),
                        "worker.yaml: maxConcurrency must be a whole number or auto, was 'lots'"),
                row("worker: `maxConcurrency: {a: 1}`", "maxConcurrency: {a: 1}\n", Map.of(),
                        "worker.yaml: maxConcurrency must be a whole number or auto, was '{\"a\":1}'"),
                row("worker: `maxConcurrency: 99999999999`", "maxConcurrency: 99999999999\n", Map.of(),
                        "worker.yaml: maxConcurrency must be a whole number or auto, was '99999999999'"),
                row("worker: `autoConcurrency: fast`", "maxConcurrency: auto\nautoConcurrency: fast\n", Map.of(),
                        "worker.yaml: autoConcurrency must be an object such as {min: 4, max: 512}, was \"fast\""),
                row("worker: `autoConcurrency: {colour: 2}`", "maxConcurrency: auto\nautoConcurrency: {colour: 2}\n",
                        Map.of(), "worker.yaml: unknown field 'autoConcurrency.colour'; known fields here: [max, min]"),
                row("worker: `drainTimeout: 9999999999999999d`", "drainTimeout: 9999999999999999d\n", Map.of(),
                        "worker.yaml: drainTimeout must be a duration of at most 106751991167 days such as 250ms, 30s,"
                                + " 5m or PT1M, was '9999999999999999d'"),
                row("worker: `handlers: {users: null}`", "handlers: {users: null}\n", Map.of(),
                        "worker.yaml: handlers.users must be an object of its settings, was null"),
                row("worker: handler with unknown field", "handlers: {users: {type: echo, colour: red}}\n", Map.of(),
                        "worker.yaml: unknown field 'handlers.users.colour'; known fields here: bulkhead, onTimeout,"
                                + " rateLimiter, retry, settings, timeout, type"),
                row("worker: `laneWeights: [1, 2]`", "lanePriority: weighted\nlaneWeights: [1, 2]\n", Map.of(),
                        "worker.yaml: laneWeights must be an object of lane weights such as {high: 3, normal: 1},"
                                + " was [1,2]"),
                row("worker: `groupId: {a: 1}`", "groupId: {a: 1}\n", Map.of(),
                        "worker.yaml: groupId must be text, was {\"a\":1}"),
                row("worker: rate limit `99999999999`", "rateLimiters: {api: {limit: 99999999999, period: 1s}}\n",
                        Map.of(), "worker.yaml: field 'rateLimiters.api.limit' is out of range: Numeric value"
                                + " (99999999999) out of range of int (-2147483648 - 2147483647); write a smaller number"),
                row("worker: handler settings nested 5,000 deep",
                        "handlers: {users: {type: echo, settings: {a: " + "[".repeat(5000) + "]".repeat(5000) + "}}}\n",
                        Map.of(), "worker.yaml: the document nests arrays and objects more than 1000 levels deep;"
                                + " flatten it"),
                row("worker: invalid UTF-8", "groupId: \u0001(\n", Map.of(), "worker.yaml: not valid UTF-8: Invalid"
                        + " UTF-8 middle byte 0x28 (at char #9, byte #-1); save it as UTF-8 (line 1, column 1)"),
                row("worker: `FANOUT_WORKER_HTTP_PORT=99999999999`", "{}\n",
                        Map.of("FANOUT_WORKER_HTTP_PORT", "99999999999"),
                        "$FANOUT_WORKER_HTTP_PORT: httpPort must be a whole number, was '99999999999'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void aHostileWorkerConfigurationIsRefusedNamingTheProperty(String input, String yaml, Map<String, String> env,
            String expected) throws Exception {
        Path file = dir.resolve("worker.yaml");
        byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = bytes[i] == 1 ? (byte) 0xC3 : bytes[i]; // U+0001 marks a lone 0xC3: invalid UTF-8
        }
        Files.write(file, bytes);
        Throwable error = catchThrowable(() -> WorkerConfigLoader.load(KAFKA, file, env, Map.of()));
        assertThat(error).isInstanceOf(ConfigException.class);
        assertThat(error.getMessage().replace(dir + "/", "")).isEqualTo(expected);
    }

    static Arguments row(String input, String yaml, Map<String, String> env, String expected) {
        return Arguments.of(input, yaml, env, expected);
    }
}
