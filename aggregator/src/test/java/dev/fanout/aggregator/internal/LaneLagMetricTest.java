package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneLag;
import dev.fanout.ops.GaugeSample;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The aggregator's lane lag gauge: read in the background on the lanes' groups, at most every REFRESH. */
class LaneLagMetricTest {

    private static final KafkaSettings KAFKA = KafkaSettings.of("unused:9092");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicReference<Instant> clock = new AtomicReference<>(NOW);
    private final AtomicReference<List<WorkerStatus>> workers = new AtomicReference<>(List.of());
    private final List<Map<Lane, LaneLag.LaneGroup>> asked = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final LaneLagMetric metric = new LaneLagMetric(KAFKA, clock::get, workers::get, groups -> {
        asked.add(groups);
        if (failure.get() != null) {
            throw failure.get();
        }
        return groups.entrySet().stream().map(lane -> new LaneLag.Reading(lane.getKey(),
                KAFKA.topics().jobs(lane.getKey()).name(), lane.getValue(), lane.getKey() == Lane.LOW ? 0 : 3,
                lane.getKey().ordinal() * 10L)).toList();
    }, Runnable::run);

    private static WorkerStatus worker(String group, List<Lane> lanes, List<Lane> shareLanes) {
        return new WorkerStatus(Envelopes.SCHEMA_VERSION, "w1", group, "host", 1, "dev", List.of(), lanes, List.of(),
                8, 0, 0, 0, true, null, null, NOW, NOW, Duration.ofSeconds(5), shareLanes);
    }

    @Test
    void eachLaneWithATopicIsExportedOnTheLiveWorkersGroupAShareLaneOnTheirShareGroup() {
        workers.set(List.of(worker("g", List.of(Lane.HIGH, Lane.NORMAL), List.of(Lane.NORMAL))));

        List<GaugeSample> samples = metric.samples();

        assertThat(samples).containsExactly(
                new GaugeSample(Map.of("lane", "high", "group", "g", "topic", "fanout.jobs.high"), 0),
                new GaugeSample(Map.of("lane", "normal", "group", "g-share", "topic", "fanout.jobs.normal"), 10));
        assertThat(asked.get(0).get(Lane.LOW)).as("no worker reads it: the default group")
                .isEqualTo(new LaneLag.LaneGroup("fanout.workers", false));
    }

    @Test
    void itIsReadAtMostEveryRefreshAndKeepsALanesGroupOnceItsWorkersAreGone() {
        workers.set(List.of(worker("g", List.of(Lane.NORMAL), List.of(Lane.NORMAL))));
        metric.samples();
        metric.samples();
        assertThat(asked).hasSize(1);

        workers.set(List.of()); // scaled to zero
        clock.set(NOW.plus(LaneLagMetric.REGISTRY_REFRESH));
        metric.samples();

        assertThat(asked).hasSize(2);
        assertThat(asked.get(1).get(Lane.NORMAL)).isEqualTo(new LaneLag.LaneGroup("g-share", true));
    }

    @Test
    void whenKafkaCannotBeReadTheGaugeHasNoSamplesUntilItCan() {
        metric.samples();
        failure.set(new ConfigException("cannot reach unused:9092"));
        clock.set(NOW.plus(LaneLagMetric.REFRESH));

        assertThat(metric.samples()).isEmpty();

        failure.set(null);
        clock.set(NOW.plus(LaneLagMetric.REFRESH.multipliedBy(2)));
        assertThat(metric.samples()).hasSize(2);
    }
}
