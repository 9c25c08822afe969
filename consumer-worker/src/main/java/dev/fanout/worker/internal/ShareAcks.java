package dev.fanout.worker.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The share loop's acknowledgements, kept on its thread only. A record can be acknowledged only while it belongs to
 * the consumer's last poll: a record that finishes then is acknowledged at once, by what became of it; one that
 * finishes after it was renewed waits until the renewal brings it back. Records of the last poll still running are
 * renewed before the next poll.
 */
final class ShareAcks {

    /** A record's place in its partition. */
    record Key(String topic, int partitionNumber, long offset) {

        static Key of(ConsumerRecord<?, ?> record) {
            return new Key(record.topic(), record.partition(), record.offset());
        }

        TopicPartition partition() {
            return new TopicPartition(topic, partitionNumber);
        }
    }

    /** An item whose outcome (or next step) is durable. */
    record Finished(Key key, Disposition disposition) {
    }

    private static final class Entry {
        ConsumerRecord<String, byte[]> record;
        boolean inLastPoll = true;
        Disposition done;

        Entry(ConsumerRecord<String, byte[]> record) {
            this.record = record;
        }
    }

    private final Map<Key, Entry> entries = new HashMap<>();
    private int awaiting;

    /** The acknowledgement a share group gets for what became of a record. */
    static AcknowledgeType type(Disposition disposition) {
        return switch (disposition) {
            case RECORDED -> AcknowledgeType.ACCEPT;
            case DEAD_LETTERED -> AcknowledgeType.REJECT;
            case REDELIVER -> AcknowledgeType.RELEASE;
        };
    }

    /**
     * A record the last poll returned.
     *
     * @return true if it is new (to be run); false if it is one already running here, renewed or delivered again
     */
    boolean received(ConsumerRecord<String, byte[]> record) {
        Entry entry = entries.get(Key.of(record));
        if (entry == null) {
            entries.put(Key.of(record), new Entry(record));
            awaiting++;
            return true;
        }
        entry.record = record;
        if (!entry.inLastPoll) {
            entry.inLastPoll = true;
            awaiting++;
        }
        return false;
    }

    /**
     * An item finished: acknowledges its record now if it belongs to the last poll, or when it comes back.
     *
     * @return true if an acknowledgement was made (and is to be sent)
     */
    boolean finished(ShareConsumer<String, byte[]> consumer, Finished finished) {
        Entry entry = entries.get(finished.key());
        if (entry == null) {
            return false;
        }
        entry.done = finished.disposition();
        return acknowledgeIfDone(consumer, finished.key(), entry);
    }

    /** Acknowledges the records of the last poll whose items finished while they were away. */
    int acknowledgeReturned(ShareConsumer<String, byte[]> consumer) {
        int made = 0;
        for (Map.Entry<Key, Entry> entry : Map.copyOf(entries).entrySet()) {
            made += acknowledgeIfDone(consumer, entry.getKey(), entry.getValue()) ? 1 : 0;
        }
        return made;
    }

    /** Records of the last poll not yet acknowledged: the next poll waits for them (or renews them). */
    int awaiting() {
        return awaiting;
    }

    /** Renews the locks of the last poll's records still running; they come back in a later poll. */
    void renewRunning(ShareConsumer<String, byte[]> consumer) {
        for (Entry entry : entries.values()) {
            if (entry.inLastPoll && entry.done == null) {
                consumer.acknowledge(entry.record, AcknowledgeType.RENEW);
                entry.inLastPoll = false;
                awaiting--;
            }
        }
    }

    private boolean acknowledgeIfDone(ShareConsumer<String, byte[]> consumer, Key key, Entry entry) {
        if (entry.done == null || !entry.inLastPoll) {
            return false;
        }
        consumer.acknowledge(entry.record, type(entry.done));
        entries.remove(key);
        awaiting--;
        return true;
    }
}
