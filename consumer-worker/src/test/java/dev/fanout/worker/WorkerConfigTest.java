package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    private final WorkerConfig defaults = WorkerConfig.of(KafkaSettings.of("127.0.0.1:9092"));

    @Test
    void impossibleSettingsAreRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> defaults.withMaxConcurrency(0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.maxConcurrency must be >= 1, was 0");
        assertThatThrownBy(() -> defaults.withWorkerId("has space"))
                .hasMessageContaining("worker.workerId may hold only");
        assertThatThrownBy(() -> defaults.withMaxRecordBytes(10))
                .hasMessageContaining("worker.maxRecordBytes must be >= 1024, was 10");
    }

    @Test
    void raisingConcurrencyKeepsTheBufferAtLeastFourTimesAsLarge() {
        WorkerConfig config = defaults.withMaxConcurrency(10_000);
        assertThat(config.maxBuffered()).isEqualTo(40_000);
    }

    @Test
    void settingsForAnUnknownHandlerAreRefusedAtStartUp() {
        assertThatThrownBy(() -> HandlerRegistry.create(HandlerCatalog.load(),
                Map.of("ech0", JsonNodeFactory.instance.objectNode())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handlers.ech0: unknown handler; known handlers: echo, simulate");
    }

    @Test
    void theBuiltInHandlersAreFoundThroughTheServiceLoader() {
        assertThat(HandlerCatalog.load().names()).contains("echo", "simulate");
    }
}
