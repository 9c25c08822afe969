package dev.fanout.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.util.OptionalLong;

/**
 * Record header names and helpers. Job and result records carry the item's identity in headers too, so tools and
 * dead letters can identify an item without decoding its value. Values are UTF-8 text.
 */
public final class FanoutHeaders {

    public static final String BATCH_ID = "fanout.batch-id";
    public static final String ITEM_ID = "fanout.item-id";
    public static final String ITEM_INDEX = "fanout.item-index";
    public static final String ITEM_TOTAL = "fanout.item-total";
    public static final String ATTEMPT = "fanout.attempt";
    public static final String TRACE_ID = "fanout.trace-id";
    public static final String SCHEMA_VERSION = "fanout.schema-version";

    /** On chained events: the decided batch's status, its revision, and which target fired ({@code onSuccess}/{@code onError}). */
    public static final String BATCH_STATUS = "fanout.batch-status";
    public static final String BATCH_REVISION = "fanout.batch-revision";
    public static final String CHAIN_TRIGGER = "fanout.chain-trigger";
    /** On chained events: the topic the event was routed to (the target's {@code topic}). */
    public static final String CHAIN_TOPIC = "fanout.chain-topic";

    /** Dead-letter context headers; the original record's own headers are kept beside them. */
    public static final String DLT_REASON = "fanout.dlt.reason";
    public static final String DLT_ORIGINAL_TOPIC = "fanout.dlt.original-topic";
    public static final String DLT_ORIGINAL_PARTITION = "fanout.dlt.original-partition";
    public static final String DLT_ORIGINAL_OFFSET = "fanout.dlt.original-offset";
    public static final String DLT_ORIGINAL_TIMESTAMP = "fanout.dlt.original-timestamp";
    public static final String DLT_EXCEPTION_CLASS = "fanout.dlt.exception-class";
    public static final String DLT_EXCEPTION_MESSAGE = "fanout.dlt.exception-message";
    public static final String DLT_STACKTRACE = "fanout.dlt.stacktrace";
    public static final String DLT_ATTEMPTS = "fanout.dlt.attempts";
    public static final String DLT_FIRST_FAILURE = "fanout.dlt.first-failure";
    public static final String DLT_LAST_FAILURE = "fanout.dlt.last-failure";
    public static final String DLT_WORKER_ID = "fanout.dlt.worker-id";
    /** On the dead letter of an oversized record, which carries no value: the original value's size in bytes. */
    public static final String DLT_ORIGINAL_SIZE = "fanout.dlt.original-size";

    /** On a replayed record: the dead letter it was replayed from, {@code <dlq topic>/<partition>/<offset>}. */
    public static final String REPLAY_OF = "fanout.replay-of";
    /** On a compensation job (and so on its dead letter): the batch whose succeeded item it undoes. */
    public static final String COMPENSATION_OF = "fanout.compensation-of";

    /**
     * On records in a retry or parking topic: where the job was first read (its lane topic, partition, offset and
     * timestamp), so a dead letter and a replay point at the original, however many hops it made.
     */
    public static final String ORIGIN_TOPIC = "fanout.origin.topic";
    public static final String ORIGIN_PARTITION = "fanout.origin.partition";
    public static final String ORIGIN_OFFSET = "fanout.origin.offset";
    public static final String ORIGIN_TIMESTAMP = "fanout.origin.timestamp";
    /** The consumer group that deferred the record: other groups reading the same retry topics leave it alone. */
    public static final String ORIGIN_GROUP = "fanout.origin.group";
    /** On retry records: when the next attempt is due (epoch millis), and when the chain first failed (ISO-8601). */
    public static final String RETRY_DUE_AT = "fanout.retry.due-at";
    public static final String FIRST_FAILURE = "fanout.retry.first-failure";
    /**
     * On parked records (items of a paused batch): when the item was parked (epoch millis), and the control-topic
     * offset its worker had read by then; a release signal after that offset sends the item round again.
     */
    public static final String PARKED_AT = "fanout.parked.at";
    public static final String PARKED_CONTROL_OFFSET = "fanout.parked.control-offset";

    private FanoutHeaders() {
    }

    /** Adds a UTF-8 text header. */
    public static void put(Headers headers, String name, Object value) {
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    /** The last header of that name as text, if present. */
    public static Optional<String> text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** The last header of that name as a number, if present and numeric. */
    public static OptionalLong number(Headers headers, String name) {
        Optional<String> text = text(headers, name);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Replaces every header of that name with one UTF-8 text value. */
    public static void replace(Headers headers, String name, Object value) {
        headers.remove(name);
        put(headers, name, value);
    }

    /** The identity headers every job record carries. */
    public static void putIdentity(Headers headers, JobRecord job) {
        put(headers, BATCH_ID, job.batchId());
        put(headers, ITEM_ID, job.itemId());
        put(headers, ITEM_INDEX, job.index());
        if (job.total() != null) {
            put(headers, ITEM_TOTAL, job.total());
        }
        put(headers, ATTEMPT, job.attempt());
        put(headers, TRACE_ID, job.traceId());
        put(headers, SCHEMA_VERSION, job.schemaVersion());
    }
}
