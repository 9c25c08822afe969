package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LanePartitionsTest {

    private final LanePartitions lanes = new LanePartitions(new TreeMap<>(Map.of(
            "p.jobs.normal", 4, "p.jobs.high", 2, "p.jobs.low", 3)));

    @Test
    void lanePartitionsAreNumberedByTopicNameThenPartitionSoEveryWorkerAgrees() {
        assertThat(lanes.total()).isEqualTo(9);
        assertThat(lanes.indexesOf(List.of(new TopicPartition("p.jobs.high", 0), new TopicPartition("p.jobs.high", 1))))
                .containsExactlyInAnyOrder(0, 1);
        assertThat(lanes.indexesOf(List.of(new TopicPartition("p.jobs.low", 2))))
                .containsExactly(4);
        assertThat(lanes.indexesOf(List.of(new TopicPartition("p.jobs.normal", 0),
                new TopicPartition("p.jobs.normal", 3)))).containsExactlyInAnyOrder(5, 8);
    }

    @Test
    void partitionsOfOtherTopicsGetNoNumber() {
        assertThat(lanes.indexesOf(List.of(new TopicPartition("p.retry.5s", 0), new TopicPartition("p.jobs.high", 7))))
                .isEmpty();
    }
}
