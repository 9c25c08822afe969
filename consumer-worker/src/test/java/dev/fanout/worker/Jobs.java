package dev.fanout.worker;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Job records as a dispatcher writes them, and isolated topic names, for the worker's integration tests. */
final class Jobs {

    private Jobs() {
    }

    /** The job as a record on {@code topic}: its envelope as the value, its identity in the headers. */
    static ProducerRecord<String, byte[]> record(String topic, String key, JobRecord job) {
        return record(topic, null, key, job);
    }

    /** The same, on a given partition ({@code null} lets the key choose). */
    static ProducerRecord<String, byte[]> record(String topic, Integer partition, String key, JobRecord job) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, partition, key, Envelopes.encode(job));
        FanoutHeaders.putIdentity(record.headers(), job);
        return record;
    }

    /** Settings on the test broker with topics no other test uses, and few partitions. */
    static KafkaSettings isolated(String bootstrapServers, String name, int jobPartitions, int resultPartitions) {
        return KafkaSettings.of(bootstrapServers)
                .withTopicPrefix(name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".")
                .withPartitions(jobPartitions, resultPartitions);
    }
}
