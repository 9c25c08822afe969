package dev.fanout.worker.internal;

/** Where a record's next attempt goes after a retriable failure. */
public enum RetryRoute {
    /**
     * A consumer-group record: a wait shorter than the shortest retry tier is held in the worker and the next attempt
     * runs here; a longer one goes through a retry tier.
     */
    WORKER,
    /**
     * A share-group record: a short wait is held in the worker, then the record is released and the broker's
     * redelivery, to any worker, is the next attempt (numbered by its delivery count); a longer one goes through a
     * retry tier.
     */
    BROKER,
    /** A share-group record at its group's delivery limit (another release would archive it): through a retry tier. */
    TIER
}
