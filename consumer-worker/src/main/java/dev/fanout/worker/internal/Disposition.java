package dev.fanout.worker.internal;

/**
 * What became of a record once the records that end (or defer) it are durable. A consumer group only needs to know
 * that it is done (its offset may be committed); a share group is told which acknowledgement it gets.
 */
public enum Disposition {
    /** Its result is recorded, or its next step is (a retry tier, the parking topic): a share group accepts it. */
    RECORDED,
    /** It was dead-lettered (with its result, when the item is known): a share group rejects it. */
    DEAD_LETTERED,
    /** Its next attempt is the broker's redelivery: a share group releases it. Nothing was published. */
    REDELIVER
}
