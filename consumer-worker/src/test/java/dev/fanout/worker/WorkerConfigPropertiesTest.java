package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.testkit.HostileInputs;
import dev.fanout.testkit.SeededCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property tests (seeded cases, {@link SeededCases}) of the worker's configuration: any configuration file (YAML or
 * JSON) and environment gives a configuration or a {@link ConfigException}, never another exception.
 */
class WorkerConfigPropertiesTest {

    static final String CONFIG = """
            {"groupId":"g","workerId":"w1","lanes":["high","normal"],"maxConcurrency":"auto",\
            "autoConcurrency":{"min":2,"max":64},"maxBuffered":500,"ordering":"key","commitInterval":"1s",\
            "drainTimeout":"30s","maxRecordBytes":1048576,"lanePriority":"weighted","laneWeights":{"high":3,"normal":1},\
            "heartbeatInterval":"2s","httpHost":"127.0.0.1","httpPort":0,\
            "bulkheads":{"api":{"maxConcurrent":20}},"rateLimiters":{"api":{"limit":100,"period":"1s"}},\
            "handlers":{"users":{"type":"http","bulkhead":"api","rateLimiter":"api","timeout":"10s",\
            "settings":{"url":"http://127.0.0.1:1/users/{{id}}","headers":{"X-Customer":"{{customer.name}}"}}}}}""";
    private static final KafkaSettings KAFKA = KafkaSettings.of("127.0.0.1:9092");

    @TempDir
    Path dir;

    @Test
    void anyWorkerConfigurationLoadsOrIsAConfigError() {
        SeededCases.check(21_000, 250, WorkerConfigPropertiesTest::config, config -> {
            Path file = dir.resolve("worker" + config.extension());
            Files.write(file, config.content());
            try {
                assertThat(WorkerConfigLoader.load(KAFKA, file, config.env(), Map.of()).groupId()).isNotBlank();
            } catch (ConfigException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("com.fasterxml").doesNotContain("Exception:");
            }
        });
    }

    /** A configuration file's content, its extension (JSON or YAML) and the environment it is loaded with. */
    record Config(byte[] content, String extension, Map<String, String> env) {
    }

    /** A hostile variant of the valid configuration, with up to two {@code FANOUT_WORKER_*} variables of any value. */
    private static Config config(HostileInputs hostile) {
        Map<String, String> env = new TreeMap<>();
        for (int i = hostile.between(0, 2); i > 0; i--) {
            env.put(WorkerConfigLoader.envName(hostile.oneOf(WorkerConfigLoader.SIMPLE_PROPERTIES)),
                    hostile.between(0, 1) == 0 ? hostile.text(12)
                            : hostile.oneOf("0", "-1", "99999999999", "auto", "high,,low", "1e9", "PT-1S",
                                    "9999999999999999d"));
        }
        return new Config(hostile.variantOf(CONFIG), hostile.oneOf(".json", ".yaml"), env);
    }
}
