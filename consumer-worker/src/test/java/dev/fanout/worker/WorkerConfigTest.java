package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    private final WorkerConfig defaults = WorkerConfig.of(KafkaSettings.of("127.0.0.1:9092"));

    @Test
    void impossibleSettingsAreRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> defaults.withMaxConcurrency(0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.maxConcurrency must be >= 1, was 0");
        assertThatThrownBy(() -> defaults.withConcurrency(Concurrency.auto(10, 5)))
                .hasMessageContaining("worker.autoConcurrency.max must be >= min (10), was 5");
        assertThatThrownBy(() -> defaults.withWorkerId("has space"))
                .hasMessageContaining("worker.workerId may hold only");
        assertThatThrownBy(() -> defaults.withMaxRecordBytes(10))
                .hasMessageContaining("worker.maxRecordBytes must be >= 1024, was 10");
    }

    @Test
    void theHealthEndpointsBindLoopbackUnlessTold() {
        KafkaSettings kafka = KafkaSettings.of("127.0.0.1:9092");
        assertThat(WorkerConfig.of(kafka).httpHost()).isEqualTo("127.0.0.1");
        assertThat(WorkerConfigLoader.load(kafka, null, Map.of(), Map.of()).httpHost()).isEqualTo("127.0.0.1");
        assertThat(WorkerConfigLoader.load(kafka, null, Map.of("FANOUT_WORKER_HTTP_HOST", "0.0.0.0"), Map.of())
                .httpHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void raisingConcurrencyKeepsTheBufferAtLeastFourTimesAsLarge() {
        WorkerConfig config = defaults.withMaxConcurrency(10_000);
        assertThat(config.maxBuffered()).isEqualTo(40_000);
    }

    @Test
    void aHandlerOfAnUnknownTypeIsRefusedAtStartUp() {
        WorkerConfig config = defaults.withHandlers(Map.of("ech0", HandlerSpec.of(null)), Map.of(), Map.of());
        assertThatThrownBy(() -> HandlerRegistry.create(HandlerCatalog.load(), config, InstantSource.system()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.handlers.ech0: unknown handler type 'ech0'; known types:")
                .hasMessageContaining("echo")
                .hasMessageContaining("simulate");
    }

    @Test
    void aHandlerNamingAMissingBulkheadOrRateLimiterIsRefused() {
        assertThatThrownBy(() -> defaults.withHandlers(
                Map.of("users", new HandlerSpec("echo", null, "user-api", null)), Map.of(), Map.of()))
                .hasMessageContaining("worker.handlers.users.bulkhead names 'user-api', which is not under bulkheads");
        assertThatThrownBy(() -> defaults.withHandlers(
                Map.of("users", new HandlerSpec("echo", null, null, "quota")), Map.of(), Map.of()))
                .hasMessageContaining("worker.handlers.users.rateLimiter names 'quota', which is not under rateLimiters");
    }

    @Test
    void handlerSettingsTheHandlerRefusesAreReportedWithTheHandlersName() {
        WorkerConfig config = defaults.withHandlers(Map.of("slow", new HandlerSpec("simulate",
                JsonNodeFactory.instance.objectNode().put("latencyMs", -5), null, null)), Map.of(), Map.of());
        assertThatThrownBy(() -> HandlerRegistry.create(HandlerCatalog.load(), config, InstantSource.system()))
                .hasMessage("worker.handlers.slow: simulate.latencyMs must be >= 0, was -5");
    }

    @Test
    void theBuiltInHandlersAreFoundThroughTheServiceLoader() {
        assertThat(HandlerCatalog.load().names()).contains("echo", "simulate");
    }
}
