package dev.fanout.config;

import dev.fanout.protocol.Lane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The lag of jobs lanes: per lane topic, the records its worker group has not finished yet (end offsets minus the
 * group's committed offsets, or minus a share group's start offsets), and the topic's partition count. A partition
 * the group never committed counts from its first record, as workers start from the earliest offset. A lane whose
 * topic does not exist yet has no partitions and no lag.
 */
public final class LaneLag {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private LaneLag() {
    }

    /** Which group reads a lane: its id, and whether it is a share group (KIP-932) or a consumer group. */
    public record LaneGroup(String groupId, boolean share) {
        public LaneGroup {
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /**
     * One lane's lag now.
     *
     * @param lane       the lane
     * @param topic      its jobs topic
     * @param group      the group that reads it
     * @param partitions the topic's partitions (0 when the topic does not exist)
     * @param lag        records not yet finished by the group, summed over partitions
     */
    public record Reading(Lane lane, String topic, LaneGroup group, int partitions, long lag) {
    }

    /**
     * Reads the lag of each lane, in the map's order.
     *
     * @throws ConfigException naming the cluster when Kafka cannot be read
     */
    public static List<Reading> read(KafkaSettings kafka, Map<Lane, LaneGroup> lanes) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "fanout-lane-lag");
        try (Admin admin = Admin.create(props)) {
            return read(admin, kafka, lanes);
        }
    }

    /**
     * Reads the lag of each lane, in the map's order, with an admin client of {@code kafka}'s cluster that the caller
     * keeps.
     *
     * @throws ConfigException naming the cluster when Kafka cannot be read
     */
    public static List<Reading> read(Admin admin, KafkaSettings kafka, Map<Lane, LaneGroup> lanes) {
        try {
            List<Reading> readings = new ArrayList<>();
            for (Map.Entry<Lane, LaneGroup> lane : lanes.entrySet()) {
                readings.add(read(admin, kafka.topics().jobs(lane.getKey()).name(), lane.getKey(), lane.getValue()));
            }
            return readings;
        } catch (ExecutionException | TimeoutException e) {
            throw KafkaFailures.describe(e instanceof ExecutionException ? e.getCause() : e, kafka,
                    "read the lag of the jobs lanes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while reading the lag of the jobs lanes", e);
        }
    }

    private static Reading read(Admin admin, String topic, Lane lane, LaneGroup group)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<TopicPartition> partitions = partitions(admin, topic);
        if (partitions.isEmpty()) {
            return new Reading(lane, topic, group, 0, 0);
        }
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> done = group.share() ? shareStarts(admin, group.groupId(), partitions)
                : committed(admin, group.groupId());
        long lag = 0;
        for (TopicPartition partition : partitions) {
            long from = Math.max(done.getOrDefault(partition, starts.get(partition)), starts.get(partition));
            lag += Math.max(0, ends.get(partition) - from);
        }
        return new Reading(lane, topic, group, partitions.size(), lag);
    }

    private static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return description.partitions().stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return List.of();
            }
            throw e;
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null) {
                offsets.put(partition, offset.offset());
            }
        });
        return offsets;
    }

    /** A share group's start offsets: records below them are acknowledged (or archived) for good. */
    private static Map<TopicPartition, Long> shareStarts(Admin admin, String group, List<TopicPartition> partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, SharePartitionOffsetInfo> infos = admin.listShareGroupOffsets(
                Map.of(group, new ListShareGroupOffsetsSpec().topicPartitions(partitions)))
                .partitionsToOffsetInfo(group).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        infos.forEach((partition, info) -> {
            if (info != null) {
                offsets.put(partition, info.startOffset());
            }
        });
        return offsets;
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }
}
