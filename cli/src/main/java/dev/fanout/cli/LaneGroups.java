package dev.fanout.cli;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneLag;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.WorkerStatus;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.Instant;
import java.util.List;

/**
 * Which group reads a lane, as the worker registry tells it: the one place {@code fanout scaling advise} learns
 * whether a lane runs on a consumer group (partitions cap its workers) or a share group (no cap).
 */
final class LaneGroups {

    private LaneGroups() {
    }

    /** The group of the live workers that consume {@code lane}, else the default worker group of {@code kafka}. */
    static LaneLag.LaneGroup of(Lane lane, KafkaSettings kafka, List<WorkerStatus> workers, Instant now) {
        String group = workers.stream().filter(worker -> worker.liveAt(now) && worker.lanes().contains(lane))
                .map(WorkerStatus::groupId).findFirst().orElse(WorkerConfig.defaultGroupId(kafka));
        boolean share = isShare(lane, workers, now);
        return new LaneLag.LaneGroup(share ? group + Worker.SHARE_GROUP_SUFFIX : group, share);
    }

    /**
     * Whether the workers read {@code lane} on a share group ({@code lanes: {<lane>: {group: share}}} in their
     * configuration): a live worker's registry entry lists it among its share lanes.
     */
    static boolean isShare(Lane lane, List<WorkerStatus> workers, Instant now) {
        return workers.stream().anyMatch(worker -> worker.liveAt(now) && worker.shareLanes().contains(lane));
    }

    /** The worker group ({@code --group}) of the workers that read a lane: a share group's id less its suffix. */
    static String workerGroup(LaneLag.LaneGroup group) {
        String id = group.groupId();
        return group.share() && id.endsWith(Worker.SHARE_GROUP_SUFFIX)
                ? id.substring(0, id.length() - Worker.SHARE_GROUP_SUFFIX.length()) : id;
    }
}
