package dev.fanout.config;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.protocol.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the worker registry (the {@code <prefix>workers} topic): the latest entry of each worker that heartbeated
 * within a look-back window, without a consumer group. Workers that stopped cleanly (a tombstone) are left out;
 * workers that stopped heartbeating are returned, and {@link WorkerStatus#liveAt} tells them apart.
 */
public final class WorkerRegistry {

    /** How far back {@link #read} looks by default: a worker silent for longer is not listed at all. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistry.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int READ_TIMEOUT_MS = 30_000;

    private WorkerRegistry() {
    }

    /**
     * The workers that published an entry within {@code lookback} before now, sorted by group and worker id.
     *
     * @throws ConfigException naming the cluster when it cannot be read
     */
    public static List<WorkerStatus> read(KafkaSettings kafka, InstantSource clock, Duration lookback) {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(lookback, "lookback");
        String topic = kafka.topics().workers().name();
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-registry-reader");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, READ_TIMEOUT_MS);
        Map<String, WorkerStatus> latest = new HashMap<>();
        try {
            readSince(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()), topic,
                    clock.instant().minus(lookback).toEpochMilli(), latest);
        } catch (KafkaException e) {
            throw new ConfigException("cannot read the worker registry " + topic + " on " + kafka.bootstrapServers()
                    + " (" + e.getMessage() + "); check --bootstrap-servers and that the brokers are up", e);
        }
        return latest.values().stream()
                .sorted(Comparator.comparing(WorkerStatus::groupId).thenComparing(WorkerStatus::workerId))
                .toList();
    }

    /** Applies every entry published since {@code since} (epoch ms) to {@code latest}, then closes the consumer. */
    private static void readSince(KafkaConsumer<String, byte[]> consumer, String topic, long since,
            Map<String, WorkerStatus> latest) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return; // no worker has ever started with this prefix
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since));
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp first = start.get(partition);
                consumer.seek(partition, first == null ? end.get(partition) : first.offset());
            }
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply(record, latest);
                }
            }
        } finally {
            Readers.close(consumer);
        }
    }

    /** The live workers among {@code workers}, by id. */
    public static Map<String, WorkerStatus> live(List<WorkerStatus> workers, Instant now) {
        Map<String, WorkerStatus> live = new TreeMap<>();
        workers.stream().filter(worker -> worker.liveAt(now)).forEach(worker -> live.put(worker.workerId(), worker));
        return live;
    }

    private static void apply(ConsumerRecord<String, byte[]> record, Map<String, WorkerStatus> latest) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            latest.remove(record.key());
            return;
        }
        try {
            latest.put(record.key(), Envelopes.decode(record.value(), WorkerStatus.class));
        } catch (PoisonRecordException e) {
            log.warn("ignoring an invalid worker registry entry at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }
}
