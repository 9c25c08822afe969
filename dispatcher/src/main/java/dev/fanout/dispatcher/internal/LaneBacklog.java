package dev.fanout.dispatcher.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.DispatchException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A lane's backlog: the records of its topic that the worker group has not committed yet, summed over partitions.
 * A partition the group has never committed counts from its first record (the workers start from the earliest
 * offset). Thread-safe; one admin client, opened on first use.
 */
public final class LaneBacklog implements AutoCloseable {

    /** The worker group is {@code <topicPrefix>workers}; kept equal to the worker's own default. */
    public static final String WORKER_GROUP_SUFFIX = "workers";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSettings kafka;
    private Admin admin;

    public LaneBacklog(KafkaSettings kafka) {
        this.kafka = kafka;
    }

    /** The group whose lag is the backlog: {@code <topicPrefix>workers}. */
    public static String workerGroup(KafkaSettings kafka) {
        return kafka.topicPrefix() + WORKER_GROUP_SUFFIX;
    }

    /**
     * Measures the backlog now.
     *
     * @throws DispatchException if Kafka does not answer within 30 s
     */
    public long of(String topic, String group) {
        try {
            Admin client = admin();
            List<TopicPartition> partitions = client.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> ends = offsets(client, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(client, partitions, OffsetSpec.earliest());
            Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long backlog = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                long from = offset == null ? starts.get(partition) : Math.max(offset.offset(), starts.get(partition));
                backlog += Math.max(0, ends.get(partition) - from);
            }
            return backlog;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new DispatchException("could not measure the backlog of " + topic + " for group " + group + ": "
                    + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while measuring the backlog of " + topic, e);
        }
    }

    private static Map<TopicPartition, Long> offsets(Admin client, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer = client.listOffsets(request).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        answer.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = kafka.clientProperties();
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "fanout-dispatcher-backlog");
            admin = Admin.create(props);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
