package dev.fanout.worker.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import dev.fanout.protocol.Lane;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * The poll loop's rebalance handling, called on the poll thread. A revoked partition is drained (its in-flight items
 * finish, at most the drain timeout, and its in-memory retry waits hand off to a retry tier) and its offsets committed
 * before it goes. A lost partition is dropped without committing: its new owner runs its unfinished records again. On
 * assignment the previous owner's commit metadata is read, so records it had finished are skipped and redeliveries
 * are told apart from first deliveries.
 */
final class Rebalance implements ConsumerRebalanceListener {

    private final Consumer<String, byte[]> consumer;
    private final OffsetTracker offsets;
    private final Commits commits;
    private final Backpressure backpressure;
    private final RetryWaits waits;
    private final Set<String> laneTopics;
    private final PollLoop.AssignmentListener assignmentListener;
    private final Map<TopicPartition, OffsetMetadata> previousOwner = new HashMap<>();

    Rebalance(Consumer<String, byte[]> consumer, OffsetTracker offsets, Commits commits, Backpressure backpressure,
            RetryWaits waits, Map<String, Lane> laneOfTopic, PollLoop.AssignmentListener assignmentListener) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.commits = Objects.requireNonNull(commits, "commits");
        this.backpressure = Objects.requireNonNull(backpressure, "backpressure");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.laneTopics = Set.copyOf(laneOfTopic.keySet());
        this.assignmentListener = Objects.requireNonNull(assignmentListener, "assignmentListener");
    }

    /** What the partition's previous owner recorded in its last commit, if it was a Fanout worker. */
    Optional<OffsetMetadata> previousOwner(TopicPartition partition) {
        return Optional.ofNullable(previousOwner.get(partition));
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        commits.drainAndCommit(partitions);
        forget(partitions);
        announce(without(consumer.assignment(), partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        waits.release(partitions);
        if (!partitions.isEmpty()) {
            consumer.committed(new HashSet<>(partitions)).forEach((partition, commit) -> {
                if (commit != null) {
                    OffsetMetadata.decode(commit.offset(), commit.metadata())
                            .ifPresent(metadata -> previousOwner.put(partition, metadata));
                }
            });
        }
        backpressure.assigned(partitions);
        announce(Set.copyOf(consumer.assignment()));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        waits.lose(partitions);
        forget(partitions);
        announce(without(consumer.assignment(), partitions));
    }

    private void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(offsets::forget);
        partitions.forEach(previousOwner::remove);
        backpressure.forget(partitions);
    }

    /** Tells the listener the lane partitions owned (rate-limit shares follow the lanes, not the retry tiers). */
    private void announce(Set<TopicPartition> owned) {
        SortedMap<String, Integer> partitions = new TreeMap<>();
        for (String topic : laneTopics) {
            partitions.put(topic, consumer.partitionsFor(topic).size());
        }
        Set<TopicPartition> lanes = new HashSet<>();
        for (TopicPartition partition : owned) {
            if (laneTopics.contains(partition.topic())) {
                lanes.add(partition);
            }
        }
        assignmentListener.assigned(Set.copyOf(lanes), new LanePartitions(partitions));
    }

    /** During the callbacks the consumer still reports the partitions being taken away. */
    private static Set<TopicPartition> without(Set<TopicPartition> assignment, Collection<TopicPartition> gone) {
        Set<TopicPartition> remaining = new HashSet<>(assignment);
        gone.forEach(remaining::remove);
        return Set.copyOf(remaining);
    }
}
