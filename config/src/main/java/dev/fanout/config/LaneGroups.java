package dev.fanout.config;

import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which group reads a lane, as the worker registry tells it: whether a lane runs on a consumer group (partitions cap
 * its workers) or a share group (no cap). Used by {@code fanout scaling advise} and the aggregator's lane lag metric.
 */
public final class LaneGroups {

    /** The worker group of a deployment unless configured otherwise: {@code <topic prefix>workers}. */
    public static final String DEFAULT_GROUP_SUFFIX = "workers";
    /** A worker group's share group for its share lanes: {@code <group>-share}. */
    public static final String SHARE_GROUP_SUFFIX = "-share";

    private LaneGroups() {
    }

    /** The default worker group of a deployment. */
    public static String defaultGroupId(KafkaSettings kafka) {
        return kafka.topicPrefix() + DEFAULT_GROUP_SUFFIX;
    }

    /** The group of the live workers that consume {@code lane}, else the default worker group of {@code kafka}. */
    public static LaneLag.LaneGroup of(Lane lane, KafkaSettings kafka, List<WorkerStatus> workers, Instant now) {
        return live(lane, workers, now).orElseGet(() -> new LaneLag.LaneGroup(defaultGroupId(kafka), false));
    }

    /** The group of the live workers that consume {@code lane}; empty when no live worker does. */
    public static Optional<LaneLag.LaneGroup> live(Lane lane, List<WorkerStatus> workers, Instant now) {
        return workers.stream().filter(worker -> worker.liveAt(now) && worker.lanes().contains(lane)).findFirst()
                .map(worker -> {
                    boolean share = isShare(lane, workers, now);
                    return new LaneLag.LaneGroup(share ? worker.groupId() + SHARE_GROUP_SUFFIX : worker.groupId(),
                            share);
                });
    }

    /** The worker group ({@code --group}) of the workers that read a lane: a share group's id less its suffix. */
    public static String workerGroup(LaneLag.LaneGroup group) {
        String id = group.groupId();
        return group.share() && id.endsWith(SHARE_GROUP_SUFFIX)
                ? id.substring(0, id.length() - SHARE_GROUP_SUFFIX.length()) : id;
    }

    /**
     * Whether the workers read {@code lane} on a share group ({@code lanes: {<lane>: {group: share}}} in their
     * configuration): a live worker's registry entry lists it among its share lanes.
     */
    public static boolean isShare(Lane lane, List<WorkerStatus> workers, Instant now) {
        return workers.stream().anyMatch(worker -> worker.liveAt(now) && worker.shareLanes().contains(lane));
    }
}
