package dev.fanout.worker;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The Kafka consumers a {@link Worker} makes: the worker group's consumer, and the share consumer of share lanes. */
final class WorkerClients {

    /**
     * How long the broker may hold a fetch that found nothing (Kafka's default is 500 ms); an idle worker's loop
     * sleeps instead of fetching this often ({@code IdleSleep}).
     */
    static final int FETCH_MAX_WAIT_MS = 50;
    /** The most records a share consumer acquires at once: twice the worker's concurrency, at most this. */
    private static final int SHARE_MAX_POLL_RECORDS = 500;

    private WorkerClients() {
    }

    static KafkaConsumer<String, byte[]> consumer(WorkerConfig config) {
        Map<String, Object> props = config.kafka().clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId());
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        // range splits each topic's partitions evenly among the workers, so the lanes (not just the total over lanes,
        // retry tiers and parking) spread across the group; the broker's default, uniform, balances only the total
        props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the aggregator writes compensation jobs to the lanes in its exactly-once transactions: a job of an aborted
        // transaction (an aggregator killed mid-commit) must never run (share lanes: ShareGroupSetup)
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, config.maxBuffered()));
        // a fetch sent while the busy lanes are paused asks only for idle partitions (another lane, the retry tiers)
        // and the broker holds it until this wait ends; the next fetch cannot go before, so the buffer can run dry
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, config.drainTimeout().toMillis() * 2));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The share consumer of the lanes on a share group: explicit acknowledgement, and at most a poll's worth of
     * records acquired at a time ({@code record_limit}), so workers sharing a partition share its records rather than
     * one of them acquiring whole batches.
     */
    static KafkaShareConsumer<String, byte[]> shareConsumer(WorkerConfig config) {
        Map<String, Object> props = config.kafka().clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, Worker.shareGroupId(config));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + Worker.SHARE_GROUP_SUFFIX);
        props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                Math.max(1, Math.min(SHARE_MAX_POLL_RECORDS, Math.min(config.maxBuffered(), 2 * config.concurrency().max()))));
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
