package dev.fanout.worker.internal;

import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A fetched record on its way through the worker, with what to call when its outcome is durable or could not be
 * published.
 *
 * @param deliveryCount 1 for a first delivery. On a consumer group, 2 when a previous owner of the partition had
 *                      fetched it without recording its outcome (it may have run, or be running still); on a share
 *                      group, the broker's delivery count
 * @param retries       where its next attempt goes after a retriable failure
 * @param onDurable     told what became of it, once that is durable
 */
public record TrackedRecord(ConsumerRecord<String, byte[]> record, int deliveryCount, RetryRoute retries,
        Consumer<Disposition> onDurable, Consumer<Throwable> onPublishFailure) {

    /** A consumer-group record, whose offset is done however it ended. */
    public TrackedRecord(ConsumerRecord<String, byte[]> record, int deliveryCount, Runnable onDurable,
            Consumer<Throwable> onPublishFailure) {
        this(record, deliveryCount, RetryRoute.WORKER, disposition -> onDurable.run(), onPublishFailure);
    }

    /** Reports the outcome of publishing this record's terminal records. */
    public void complete(Disposition disposition, Throwable error) {
        if (error == null) {
            onDurable.accept(disposition);
        } else {
            onPublishFailure.accept(error);
        }
    }
}
