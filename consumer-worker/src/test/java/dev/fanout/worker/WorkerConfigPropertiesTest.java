package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.testkit.HostileJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property tests (jqwik) of the worker's configuration: any configuration file (YAML or JSON) and environment gives a
 * configuration or a {@link ConfigException}, never another exception.
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
    @Property(tries = 250)
    void anyWorkerConfigurationLoadsOrIsAConfigError(@ForAll("configs") byte[] content,
            @ForAll("names") String name, @ForAll("environments") Map<String, String> env) throws IOException {
        Path file = Files.createTempFile("worker", name);
        Files.write(file, content);
        try {
            assertThat(WorkerConfigLoader.load(KAFKA, file, env, Map.of()).groupId()).isNotBlank();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("com.fasterxml").doesNotContain("Exception:");
        } finally {
            Files.delete(file);
        }
    }

    @Provide
    Arbitrary<byte[]> configs() {
        return HostileJson.variantsOf(CONFIG);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.of(".json", ".yaml");
    }

    @Provide
    Arbitrary<Map<String, String>> environments() {
        Arbitrary<String> names = Arbitraries.of(WorkerConfigLoader.SIMPLE_PROPERTIES).map(WorkerConfigLoader::envName);
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12),
                Arbitraries.of("0", "-1", "99999999999", "auto", "high,,low", "1e9", "PT-1S", "9999999999999999d"));
        return Arbitraries.maps(names, values).ofMaxSize(2);
    }
}
