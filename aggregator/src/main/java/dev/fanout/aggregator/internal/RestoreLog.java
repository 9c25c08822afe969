package dev.fanout.aggregator.internal;

import com.codahale.metrics.Counter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what the state stores restored from their changelogs: one INFO line per store partition restored (store,
 * partition, records), a count in a metric, and a summary each time the aggregator starts running
 * ({@link #summary()}). A restart with an up-to-date state directory restores nothing, and says so; a fresh or wiped
 * directory (a first start, a crash under exactly-once) restores every store from its changelog.
 */
public final class RestoreLog implements StateRestoreListener {

    private static final Logger log = LoggerFactory.getLogger(RestoreLog.class);

    private final Counter restored;
    private final AtomicLong total = new AtomicLong();
    private final Map<String, Long> byStore = new TreeMap<>();

    /** @param restored the counter of records restored ({@code aggregator.restored.records}) */
    public RestoreLog(Counter restored) {
        this.restored = Objects.requireNonNull(restored, "restored");
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String store, long startingOffset, long endingOffset) {
        log.debug("restoring store {} partition {} from changelog {}: offsets {} to {}", store,
                changelog.partition(), changelog.topic(), startingOffset, endingOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {
        restored.inc(numRestored);
        total.addAndGet(numRestored);
        synchronized (byStore) {
            byStore.merge(store, numRestored, Long::sum);
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
        log.info("store {} partition {}: restored {} records from changelog {}", store, changelog.partition(),
                totalRestored, changelog.topic());
    }

    @Override
    public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
        log.info("store {} partition {}: restoring suspended after {} records (the task moved)", store,
                changelog.partition(), totalRestored);
    }

    /** Records restored since this aggregator started. */
    public long total() {
        return total.get();
    }

    /** One line on what was restored since start, e.g. for the log when the aggregator starts running. */
    public String summary() {
        long records = total.get();
        if (records == 0) {
            return "restored 0 records from changelogs (the state directory was up to date, or the changelogs empty)";
        }
        synchronized (byStore) {
            return "restored " + records + " records from changelogs " + byStore;
        }
    }
}
