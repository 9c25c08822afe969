package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.worker.handlers.SimulateHandlerProvider;
import dev.fanout.worker.handlers.SimulateSettings;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SimulateHandlerTest {

    @Test
    void theSameSeedAndIndexGiveTheSameLatencyAndOutcome() {
        SimulateSettings settings = new SimulateSettings(20, "exponential", 0.3, 7);
        for (long index = 0; index < 100; index++) {
            assertThat(SimulateHandlerProvider.plan(settings, index)).isEqualTo(SimulateHandlerProvider.plan(settings, index));
        }
    }

    @Test
    void theShareOfFailuresFollowsTheFailureRate() {
        SimulateSettings settings = new SimulateSettings(0, "fixed", 0.02, 42);
        long failures = LongStream.range(0, 100_000).filter(i -> SimulateHandlerProvider.plan(settings, i).fails()).count();
        assertThat(failures).isBetween(1_800L, 2_200L);
    }

    @Test
    void uniformLatencyStaysWithinHalfAndOneAndAHalfTimesTheMean() {
        SimulateSettings settings = new SimulateSettings(20, "uniform", 0, 1);
        LongStream.range(0, 10_000).forEach(i ->
                assertThat(SimulateHandlerProvider.plan(settings, i).latencyMs()).isBetween(10L, 30L));
    }

    @Test
    void itemSettingsOverrideTheWorkerDefaults() {
        ObjectNode overrides = JsonNodeFactory.instance.objectNode().put("latencyMs", 5).put("failureRate", 1.0);
        SimulateSettings merged = SimulateSettings.ofDefaults().with(overrides);
        assertThat(merged.latencyMs()).isEqualTo(5);
        assertThat(merged.failureRate()).isEqualTo(1.0);
        assertThat(merged.distribution()).isEqualTo(SimulateSettings.DEFAULT_DISTRIBUTION);
    }

    @Test
    void anUnknownOrImpossibleSettingIsRefusedByName() {
        assertThatThrownBy(() -> SimulateSettings.ofDefaults().with(JsonNodeFactory.instance.objectNode().put("latncy", 5)))
                .hasMessageContaining("simulate has no setting 'latncy'");
        assertThatThrownBy(() -> SimulateSettings.ofDefaults().with(JsonNodeFactory.instance.objectNode().put("failureRate", 1.5)))
                .hasMessageContaining("simulate.failureRate must be between 0 and 1, was 1.5");
        assertThatThrownBy(() -> SimulateSettings.ofDefaults().with(JsonNodeFactory.instance.objectNode().put("distribution", "zipf")))
                .hasMessageContaining("simulate.distribution must be one of fixed, uniform, exponential");
    }
}
