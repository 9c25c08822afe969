package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.config.LaneLag;
import dev.fanout.protocol.Lane;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingAdviceTest {

    static LaneLag.Reading lane(Lane lane, boolean share, int partitions, long lag) {
        return new LaneLag.Reading(lane, "fanout.jobs." + lane.id(), new LaneLag.LaneGroup(
                share ? "fanout.workers-share" : "fanout.workers", share),
                partitions, lag);
    }

    static ScalingAdvice.Inputs inputs(int concurrency, long latencyMs, long drainSeconds) {
        return new ScalingAdvice.Inputs(concurrency, Duration.ofMillis(latencyMs), Duration.ofSeconds(drainSeconds),
                1, 100);
    }

    @Test
    void slotsAreLagTimesLatencyOverDrainTimeAndWorkersAreSlotsOverConcurrencyRoundedUp() {
        List<LaneLag.Reading> normal = List.of(lane(Lane.NORMAL, false, 8, 48_000));

        ScalingAdvice wide = ScalingAdvice.of(normal, inputs(64, 120, 300));
        ScalingAdvice narrow = ScalingAdvice.of(normal, inputs(8, 120, 300));

        assertThat(wide.slots()).isCloseTo(19.2, within(1e-9)); // 48,000 x 0.12 s / 300 s
        assertThat(wide.needed()).isEqualTo(1);
        assertThat(narrow.needed()).as("19.2 slots / 8 per worker = 2.4").isEqualTo(3);
        assertThat(narrow.replicas()).isEqualTo(3);
        assertThat(narrow.drainTimeWith(3)).contains(Duration.ofSeconds(240)); // 5,760 slot-seconds / 24 slots
    }

    @Test
    void exactlyEnoughSlotsNeedNoExtraWorker() {
        // 1,000 items x 0.1 s / 10 s = 10 slots = exactly one worker of 10
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.HIGH, false, 4, 1_000)), inputs(10, 100, 10));

        assertThat(advice.needed()).isEqualTo(1);
    }

    @Test
    void consumerGroupLanesAreCappedAtTheirPartitionsAndSaySo() {
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.NORMAL, false, 8, 1_000_000)), inputs(10, 100, 60));

        assertThat(advice.needed()).as("1,666.7 slots / 10").isEqualTo(167);
        assertThat(advice.cap()).hasValue(8);
        assertThat(advice.replicas()).isEqualTo(8);
        assertThat(advice.limitedByPartitions()).isTrue();
        assertThat(advice.lanes().get(0).limitedByPartitions()).isTrue();
        assertThat(advice.drainTimeWith(8)).as("100,000 slot-seconds over 80 slots").contains(Duration.ofSeconds(1250));
        assertThat(advice.drainTimeWith(20)).as("workers beyond the partitions idle").contains(Duration.ofSeconds(1250));
    }

    @Test
    void shareGroupLanesScalePastTheirPartitions() {
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.NORMAL, true, 8, 1_000_000)),
                new ScalingAdvice.Inputs(10, Duration.ofMillis(100), Duration.ofSeconds(60), 1, 500));

        assertThat(advice.cap()).isEmpty();
        assertThat(advice.replicas()).isEqualTo(167);
        assertThat(advice.limitedByPartitions()).isFalse();
        assertThat(advice.drainTimeWith(167).orElseThrow()).isLessThanOrEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void maxReplicasBoundsTheAdviceOfAShareLane() {
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.LOW, true, 8, 1_000_000)), inputs(10, 100, 60));

        assertThat(advice.replicas()).isEqualTo(100);
    }

    @Test
    void lanesAddTheirSlotsAndTheLargestLaneCapsTheWorkers() {
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.HIGH, false, 2, 3_000), lane(Lane.NORMAL, false, 6,
                9_000)), inputs(4, 200, 100));

        assertThat(advice.lanes()).extracting(ScalingAdvice.LaneAdvice::needed).containsExactly(2, 5); // 6 and 18 slots
        assertThat(advice.lanes().get(0).replicas()).as("the high lane alone: capped at its 2 partitions").isEqualTo(2);
        assertThat(advice.slots()).isCloseTo(24.0, within(1e-9));
        assertThat(advice.needed()).isEqualTo(6);
        assertThat(advice.cap()).hasValue(6);
        assertThat(advice.replicas()).isEqualTo(6);
    }

    @Test
    void noLagLeavesTheMinimumAndDrainsAtOnce() {
        List<LaneLag.Reading> idle = List.of(lane(Lane.NORMAL, false, 8, 0));

        ScalingAdvice keepOne = ScalingAdvice.of(idle, inputs(64, 50, 300));
        ScalingAdvice toZero = ScalingAdvice.of(idle, new ScalingAdvice.Inputs(64, Duration.ofMillis(50),
                Duration.ofMinutes(5), 0, 10));

        assertThat(keepOne.needed()).isZero();
        assertThat(keepOne.replicas()).isEqualTo(1);
        assertThat(toZero.replicas()).isZero();
        assertThat(toZero.drainTimeWith(0)).contains(Duration.ZERO);
    }

    @Test
    void aBacklogWithoutWorkersNeverDrains() {
        ScalingAdvice advice = ScalingAdvice.of(List.of(lane(Lane.NORMAL, false, 8, 10)), inputs(64, 50, 300));

        assertThat(advice.drainTimeWith(0)).isEmpty();
    }

    @Test
    void theLagOneWorkerDrainsIsConcurrencyTimesDrainTimeOverLatency() {
        assertThat(inputs(64, 120, 300).itemsPerWorker()).isEqualTo(160_000); // 64 x 2,500 items per slot
        assertThat(inputs(1, 10_000, 1).itemsPerWorker()).as("at least 1").isEqualTo(1);
    }

    @Test
    void impossibleInputsAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> inputs(0, 100, 60)).hasMessageContaining("--concurrency must be >= 1, was 0");
        assertThatThrownBy(() -> inputs(4, 0, 60)).hasMessageContaining("--latency must be positive");
        assertThatThrownBy(() -> inputs(4, 100, 0)).hasMessageContaining("--drain-time must be positive");
        assertThatThrownBy(() -> new ScalingAdvice.Inputs(4, Duration.ofMillis(1), Duration.ofSeconds(1), 5, 2))
                .hasMessageContaining("--max-replicas");
    }
}
