package dev.fanout.worker.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions of the jobs lanes a worker group consumes, numbered {@code 0..total-1} in an order every worker
 * agrees on: by topic name, then partition. Rate-limit shares ({@link GroupRateLimiter}) follow these numbers.
 *
 * @param partitions the number of partitions of each lane topic
 */
public record LanePartitions(SortedMap<String, Integer> partitions) {

    public LanePartitions {
        partitions = Collections.unmodifiableSortedMap(new TreeMap<>(partitions));
    }

    public int total() {
        return partitions.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The numbers of those of {@code owned} that are lane partitions (others, like retry tiers, are skipped). */
    public Set<Integer> indexesOf(Collection<TopicPartition> owned) {
        Map<String, Integer> first = new TreeMap<>();
        int next = 0;
        for (Map.Entry<String, Integer> topic : partitions.entrySet()) {
            first.put(topic.getKey(), next);
            next += topic.getValue();
        }
        Set<Integer> indexes = new HashSet<>();
        for (TopicPartition partition : owned) {
            Integer start = first.get(partition.topic());
            if (start != null && partition.partition() < partitions.get(partition.topic())) {
                indexes.add(start + partition.partition());
            }
        }
        return Set.copyOf(indexes);
    }
}
