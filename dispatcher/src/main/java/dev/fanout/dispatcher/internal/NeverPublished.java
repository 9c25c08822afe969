package dev.fanout.dispatcher.internal;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ResultHeaders;
import dev.fanout.protocol.ItemError;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.ItemStatus;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Topics;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The result of an item the dispatcher never published because its batch was decided first ({@code fail_fast},
 * {@code race}): {@code CANCELLED}, with no attempt, on the results topic like a worker's. The aggregator counts it
 * like any other, so a batch decided early still settles (succeeded + failed = total, cancelled among the failed).
 */
final class NeverPublished {

    /** Who recorded the result, where a worker id would stand. */
    static final String RECORDED_BY = "dispatcher";

    private NeverPublished() {
    }

    static ProducerRecord<String, byte[]> cancelled(Topics topics, JobRecord job, Instant now) {
        ItemResult result = new ItemResult(Envelopes.SCHEMA_VERSION, job.batchId(), job.itemId(), job.index(),
                ItemStatus.CANCELLED, FailureReason.CANCELLED, new ItemError("Cancelled",
                        "the batch was decided before this item was published; it was not run"),
                null, 0, null, now, 0, RECORDED_BY, false, job.traceId());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.results().name(), job.batchId(),
                Envelopes.encode(result));
        ResultHeaders.put(record.headers(), result);
        return record;
    }
}
