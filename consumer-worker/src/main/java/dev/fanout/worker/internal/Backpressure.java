package dev.fanout.worker.internal;

import dev.fanout.protocol.Lane;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which assigned partitions the poll loop fetches, decided after every poll (only on the poll thread):
 * <ul>
 *   <li>a lane pauses when the worker's unfinished records reach its share of {@code maxBuffered} (high 100%,
 *       normal 75%, low 50%) and resumes at half of it, so memory stays bounded and a full buffer of low items
 *       never keeps a high item from being fetched;</li>
 *   <li>a partition whose unfinished span reaches {@link OffsetMetadata#MAX_SPAN} pauses (resuming at half), so
 *       the commit metadata always describes every finished record above the committed offset;</li>
 *   <li>with strict priority, lower lanes pause while a higher lane has records waiting on the broker;</li>
 *   <li>a retry-tier or parking partition whose next record is not due stays paused until it is
 *       ({@link #hold}).</li>
 * </ul>
 */
final class Backpressure {

    /** The share of {@code maxBuffered} at which each lane (by ordinal: high, normal, low) stops being fetched. */
    private static final double[] LANE_SHARE = {1.0, 0.75, 0.5};

    private final Consumer<String, byte[]> consumer;
    private final OffsetTracker offsets;
    private final DeferralGate deferrals;
    private final Map<String, Lane> laneOfTopic;
    private final boolean weighted;
    private final int maxBuffered;
    private final Map<TopicPartition, DeferralGate.Wait> waiting = new HashMap<>();
    private final Set<Lane> pausedLanes = EnumSet.noneOf(Lane.class);

    /**
     * @param laneOfTopic the jobs topics, with their lanes; any other topic counts as the normal lane
     * @param weighted    false for strict lane priority: lower lanes are not fetched while a higher one has lag
     */
    Backpressure(Consumer<String, byte[]> consumer, OffsetTracker offsets, DeferralGate deferrals,
            Map<String, Lane> laneOfTopic, boolean weighted, int maxBuffered) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.deferrals = Objects.requireNonNull(deferrals, "deferrals");
        this.laneOfTopic = Map.copyOf(laneOfTopic);
        this.weighted = weighted;
        this.maxBuffered = maxBuffered;
    }

    /** Keeps a deferred partition paused until its wait is over (the loop has sought it back to the record). */
    void hold(TopicPartition partition, DeferralGate.Wait wait) {
        waiting.put(partition, wait);
    }

    /**
     * Whether every paused partition is one held by the deferral gate, whose fetched data the seek dropped: then a
     * blocking poll cannot spin on buffered data of paused partitions.
     */
    boolean onlyDeferredPaused() {
        return waiting.keySet().containsAll(consumer.paused());
    }

    /** Pauses and resumes the assigned partitions by the rules above. */
    void apply() {
        int unfinished = offsets.unfinished();
        for (Lane lane : Lane.values()) {
            int limit = Math.max(1, (int) (maxBuffered * LANE_SHARE[lane.ordinal()]));
            if (unfinished >= limit) {
                pausedLanes.add(lane);
            } else if (unfinished <= limit / 2) {
                pausedLanes.remove(lane);
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        Set<TopicPartition> alreadyPaused = consumer.paused();
        Lane highestWithLag = weighted ? null : highestLaneWithLag(assigned);
        Set<TopicPartition> pause = new HashSet<>();
        waiting.values().removeIf(deferrals::over);
        for (TopicPartition partition : assigned) {
            if (waiting.containsKey(partition)) {
                pause.add(partition);
                continue;
            }
            long span = offsets.span(partition);
            boolean spanTooLong = alreadyPaused.contains(partition)
                    ? span > OffsetMetadata.MAX_SPAN / 2 : span >= OffsetMetadata.MAX_SPAN;
            Lane lane = laneOf(partition);
            // retry tiers and parking are never held back by lane priority: a high item's retry waits there too
            boolean lowerThanWaitingLane = highestWithLag != null && laneOfTopic.containsKey(partition.topic())
                    && lane.ordinal() > highestWithLag.ordinal();
            if (pausedLanes.contains(lane) || spanTooLong || lowerThanWaitingLane) {
                pause.add(partition);
            }
        }
        Set<TopicPartition> resume = new HashSet<>(alreadyPaused);
        resume.removeAll(pause);
        pause.removeAll(alreadyPaused);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Newly assigned partitions of a lane paused right now start paused. */
    void assigned(Collection<TopicPartition> partitions) {
        Set<TopicPartition> pausedNow = new HashSet<>();
        for (TopicPartition partition : partitions) {
            if (pausedLanes.contains(laneOf(partition))) {
                pausedNow.add(partition);
            }
        }
        if (!pausedNow.isEmpty()) {
            consumer.pause(pausedNow);
        }
    }

    /** Partitions given up: their deferral waits end with them. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(waiting::remove);
    }

    private Lane laneOf(TopicPartition partition) {
        return laneOfTopic.getOrDefault(partition.topic(), Lane.NORMAL);
    }

    /** Strict priority: the highest lane with records waiting on the broker, from the consumer's fetch positions. */
    private Lane highestLaneWithLag(Set<TopicPartition> assigned) {
        Lane highest = null;
        for (TopicPartition partition : assigned) {
            Lane lane = laneOfTopic.get(partition.topic());
            if (lane != null && (highest == null || lane.ordinal() < highest.ordinal())
                    && consumer.currentLag(partition).orElse(0) > 0) {
                highest = lane;
            }
        }
        return highest;
    }
}
