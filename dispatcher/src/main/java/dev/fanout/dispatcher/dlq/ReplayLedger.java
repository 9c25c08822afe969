package dev.fanout.dispatcher.dlq;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.config.TopicScan;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.TopicDescriptor;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The replay ledger: a compacted topic with one record per replayed dead letter, keyed by its coordinates
 * ({@code <dlq topic>/<partition>/<offset>}), whose value says where and when it went.
 */
public final class ReplayLedger {

    private final KafkaSettings kafka;
    private final TopicDescriptor<byte[]> topic;

    public ReplayLedger(KafkaSettings kafka) {
        this.kafka = kafka;
        this.topic = kafka.topics().deadLetterReplays();
    }

    public String topic() {
        return topic.name();
    }

    /** Creates the ledger topic if it is missing. */
    public void ensureTopic() {
        TopicInitializer.ensure(kafka, List.of(topic));
    }

    /** The coordinates of every dead letter replayed so far. */
    public Set<String> replayed() {
        Set<String> replayed = new HashSet<>();
        TopicScan.readAll(kafka, topic.name(), record -> {
            if (record.key() != null) {
                if (record.value() == null) {
                    replayed.remove(record.key()); // a tombstone forgets a replay
                } else {
                    replayed.add(record.key());
                }
            }
        });
        return replayed;
    }

    /** The ledger record for a dead letter replayed to {@code target} at {@code at}. */
    ProducerRecord<byte[], byte[]> entry(DeadLetter letter, String target, int partition, long offset, Instant at) {
        byte[] value = Envelopes.encode(Map.of("replayedTo", DeadLetter.coordinates(target, partition, offset),
                "replayedAt", at.toString()));
        return new ProducerRecord<>(topic.name(), letter.coordinates().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                value);
    }
}
