package dev.fanout.worker.internal;

import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A fetched record on its way through the worker, with what to call when its outcome is durable or could not be
 * published.
 *
 * @param deliveryCount 1 for a first delivery; 2 when a previous owner of the partition had fetched it without
 *                      recording its outcome (it may have run, or be running still)
 */
public record TrackedRecord(ConsumerRecord<String, byte[]> record, int deliveryCount, Runnable onDurable,
        Consumer<Throwable> onPublishFailure) {

    /** Reports the outcome of publishing this record's terminal records. */
    public void complete(Void ignored, Throwable error) {
        if (error == null) {
            onDurable.run();
        } else {
            onPublishFailure.accept(error);
        }
    }
}
