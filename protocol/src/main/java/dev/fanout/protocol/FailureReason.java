package dev.fanout.protocol;

/**
 * Why an item failed: a closed set shared by the worker, the dead-letter headers, the results and the replay tool.
 */
public enum FailureReason {
    /** The handler threw or returned an error it did not mark as retriable, or retries were not configured. */
    HANDLER_ERROR,
    /** The handler ran past the item's timeout. */
    TIMEOUT,
    /** A retriable error persisted through the last attempt. */
    RETRIES_EXHAUSTED,
    /** The record is not a valid job envelope (not decodable, unknown schema version, missing fields). */
    POISON,
    /** The job names a handler this worker does not have. */
    UNKNOWN_HANDLER,
    /** The record is larger than the worker's size limit. */
    OVERSIZED,
    /** The handler's output failed the batch's output schema. */
    OUTPUT_INVALID,
    /** The item waited in the queue longer than the batch allows. */
    EXPIRED,
    /** The batch was cancelled before the item ran. */
    CANCELLED
}
