package dev.fanout.worker;

import dev.fanout.protocol.TimeoutPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Lane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigLoaderTest {

    private static final KafkaSettings KAFKA = KafkaSettings.of("127.0.0.1:9092");

    @TempDir
    Path dir;

    @Test
    void aFileSetsHandlersWithTheirNamedBulkheadsAndRateLimiters() throws Exception {
        Path file = write("""
                maxConcurrency: 200
                lanes: [high, normal]
                ordering: partition
                drainTimeout: 10s
                bulkheads: {user-api: {maxConcurrent: 20}}
                rateLimiters: {user-api: {limit: 100, period: 1s}}
                handlers:
                  users: {type: echo, bulkhead: user-api, rateLimiter: user-api}
                  slow: {type: simulate, settings: {latencyMs: 5}}
                """);

        WorkerConfig config = WorkerConfigLoader.load(KAFKA, file, Map.of(), Map.of());

        assertThat(config.concurrency()).isEqualTo(Concurrency.fixed(200));
        assertThat(config.maxBuffered()).isEqualTo(WorkerConfig.DEFAULT_MAX_BUFFERED);
        assertThat(config.lanes()).containsExactly(Lane.HIGH, Lane.NORMAL);
        assertThat(config.ordering()).isEqualTo(OrderingMode.PARTITION);
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.bulkheads()).containsEntry("user-api", new BulkheadSpec(20));
        assertThat(config.rateLimiters()).containsEntry("user-api", new RateLimitSpec(100, Duration.ofSeconds(1)));
        assertThat(config.handlers().get("users").bulkhead()).isEqualTo("user-api");
        assertThat(config.handlers().get("slow").settings().get("latencyMs").asInt()).isEqualTo(5);
    }

    @Test
    void aRateLimiterTakesItsGuardFromTheFileAndDefaultsToFivePercentOfThePeriodAtMostFiftyMilliseconds()
            throws Exception {
        WorkerConfig config = WorkerConfigLoader.load(KAFKA, write("""
                rateLimiters:
                  strict: {limit: 100, period: 1s, guard: 100ms}
                  usual: {limit: 100, period: 1s}
                  fast: {limit: 10, period: 200ms}
                """), Map.of(), Map.of());

        assertThat(config.rateLimiters().get("strict").window()).isEqualTo(Duration.ofMillis(1100));
        assertThat(config.rateLimiters().get("usual").guard()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.rateLimiters().get("fast").guard()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aHandlerTakesItsTimeoutAndRetryPolicyFromTheFile() throws Exception {
        WorkerConfig config = WorkerConfigLoader.load(KAFKA, write("""
                handlers:
                  users:
                    type: echo
                    timeout: 10s
                    onTimeout: cancel
                    retry: {initialInterval: 200ms, backoffCoefficient: 3.0, maximumInterval: 5s, maximumAttempts: 4,
                            nonRetryable: [IllegalStateException]}
                """), Map.of(), Map.of());

        HandlerSpec users = config.handlers().get("users");
        assertThat(users.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(users.onTimeout()).isEqualTo(TimeoutPolicy.CANCEL);
        assertThat(users.retry()).isEqualTo(new RetryPolicy(Duration.ofMillis(200), 3.0, Duration.ofSeconds(5), 4,
                List.of("IllegalStateException")));
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA,
                write("handlers: {users: {type: echo, retry: {maximumAttempts: 0}}}\n"), Map.of(), Map.of()))
                .hasMessageContaining("retry.maximumAttempts must be >= 1, was 0");
    }

    @Test
    void theEnvironmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws Exception {
        Path file = write("maxConcurrency: 10\ngroupId: from-file\n");

        WorkerConfig config = WorkerConfigLoader.load(KAFKA, file,
                Map.of("FANOUT_WORKER_MAX_CONCURRENCY", "20", "FANOUT_WORKER_GROUP_ID", "from-env"),
                Map.of(WorkerConfig.MAX_CONCURRENCY, "30"));

        assertThat(config.concurrency().max()).isEqualTo(30);
        assertThat(config.groupId()).isEqualTo("from-env");
    }

    @Test
    void autoConcurrencyTakesItsBounds() throws Exception {
        WorkerConfig config = WorkerConfigLoader.load(KAFKA,
                write("maxConcurrency: auto\nautoConcurrency: {min: 8, max: 300}\n"), Map.of(), Map.of());

        assertThat(config.concurrency()).isEqualTo(Concurrency.auto(8, 300));
    }

    @Test
    void impossibleSettingsNameTheirSourceThePropertyAndTheRule() throws Exception {
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, write("maxConcurrency: 0\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.maxConcurrency must be >= 1, was 0");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, null,
                Map.of("FANOUT_WORKER_MAX_CONCURRENCY", "lots"), Map.of()))
                .hasMessage("$FANOUT_WORKER_MAX_CONCURRENCY: maxConcurrency must be a whole number or auto, was 'lots'");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA,
                write("rateLimiters: {user-api: {limit: -5, period: 1s}}\n"), Map.of(), Map.of()))
                .hasMessageContaining("rateLimiters.user-api.limit must be >= 1, was -5");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, write("maxConcurency: 5\n"), Map.of(), Map.of()))
                .hasMessageContaining("unknown field 'maxConcurency'; known fields:");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, write("lanes: [urgent]\n"), Map.of(), Map.of()))
                .hasMessageContaining("priority must be one of high, normal, low, was 'urgent'");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA,
                write("handlers: {users: {type: echo, colour: red}}\n"), Map.of(), Map.of()))
                .hasMessageContaining("unknown field 'handlers.users.colour'");
    }

    @Test
    void environmentNamesFollowTheProperties() {
        assertThat(List.of(WorkerConfig.MAX_CONCURRENCY, WorkerConfig.GROUP_ID).stream()
                .map(WorkerConfigLoader::envName))
                .containsExactly("FANOUT_WORKER_MAX_CONCURRENCY", "FANOUT_WORKER_GROUP_ID");
    }

    @Test
    void aLaneNamesItsOwnGroupAndTheOthersTakeTheWorkersLaneGroup() throws Exception {
        WorkerConfig perLane = WorkerConfigLoader.load(KAFKA, write("""
                ordering: unordered
                lanes: {high: {}, normal: {group: share}, low: {group: consumer}}
                """), Map.of(), Map.of());
        WorkerConfig byDefault = WorkerConfigLoader.load(KAFKA, write("""
                ordering: unordered
                laneGroup: share
                lanes: {high: {group: consumer}, normal: }
                """), Map.of(), Map.of());
        WorkerConfig asText = WorkerConfigLoader.load(KAFKA, null,
                Map.of(WorkerConfigLoader.envName(WorkerConfig.ORDERING), "unordered"),
                Map.of(WorkerConfig.LANES, "high,normal:share"));

        assertThat(perLane.lanes()).containsExactly(Lane.HIGH, Lane.NORMAL, Lane.LOW);
        assertThat(perLane.shareLanes()).containsExactly(Lane.NORMAL);
        assertThat(perLane.consumerLanes()).containsExactly(Lane.HIGH, Lane.LOW);
        assertThat(byDefault.shareLanes()).containsExactly(Lane.NORMAL);
        assertThat(byDefault.groupOf(Lane.HIGH)).isEqualTo(LaneGroup.CONSUMER);
        assertThat(asText.shareLanes()).containsExactly(Lane.NORMAL);
        assertThat(WorkerConfigLoader.load(KAFKA, null, Map.of(), Map.of()).shareLanes()).isEmpty();
    }

    @Test
    void aShareLaneWithoutUnorderedOrderingIsRefusedNamingTheLaneAndTheFix() throws Exception {
        Path file = write("""
                lanes: {normal: {group: share}}
                """);

        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.lanes.normal.group: share needs ordering: unordered")
                .hasMessageContaining("was ordering: key")
                .hasMessageContaining("set ordering: unordered, or keep the lane on the consumer group");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, write("""
                ordering: unordered
                lanes: {normal: {group: queue}}
                """), Map.of(), Map.of()))
                .hasMessageContaining("lanes.normal.group must be consumer or share, was 'queue'");
        assertThatThrownBy(() -> WorkerConfigLoader.load(KAFKA, write("""
                ordering: unordered
                lanes: {normal: {grup: share}}
                """), Map.of(), Map.of()))
                .hasMessageContaining("lanes.normal: unknown field 'grup'");
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "worker", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
