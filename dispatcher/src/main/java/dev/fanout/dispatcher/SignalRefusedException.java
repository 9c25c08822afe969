package dev.fanout.dispatcher;

/**
 * A pause, resume or cancel signal was not sent, for a reason the user can act on: the batch is unknown, or it is
 * cancelled and the signal would lift the cancel. Nothing was published. The message says what to do.
 */
public final class SignalRefusedException extends RuntimeException {

    /** Why the signal was refused. */
    public enum Reason {
        /** No batch with this id is registered on the batches topic (of this topic prefix). */
        UNKNOWN_BATCH,
        /**
         * The batch is cancelled. The latest signal per batch is the one in force, so a pause or resume would
         * replace the cancel and let its items run.
         */
        CANCELLED
    }

    private final Reason reason;

    private SignalRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static SignalRefusedException unknownBatch(String batchId, String batchesTopic, boolean topicExists) {
        return new SignalRefusedException(Reason.UNKNOWN_BATCH, "no batch " + batchId + " is registered on "
                + batchesTopic + (topicExists ? "" : " (the topic does not exist)") + "; check the batch id (fanout"
                + " dispatch prints it) and --topic-prefix");
    }

    static SignalRefusedException cancelled(String batchId, String action, String cancelledAt, String why) {
        return new SignalRefusedException(Reason.CANCELLED, "batch " + batchId + " was cancelled at " + cancelledAt
                + (why == null ? "" : " (" + why + ")") + "; a cancelled batch cannot be " + action + "d: the latest"
                + " signal of a batch is the one in force, so a " + action + " would lift the cancel. Nothing was"
                + " sent; dispatch the items again as a new batch to run them");
    }
}
