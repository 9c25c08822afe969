package dev.fanout.dispatcher;

import java.util.Locale;

/**
 * The dispatcher declined to publish (more of) a batch for a reason the user can act on: the batch exists, the lane
 * is full, or a resume does not match the batch. The message says what to do.
 */
public final class DispatchRefusedException extends RuntimeException {

    /** Why the dispatch was refused. */
    public enum Reason {
        /** A batch with this id is registered already, and {@code --resume} was not given. */
        BATCH_EXISTS,
        /** The lane's backlog is above {@code queue.maxSize} and the dispatch was told not to wait. */
        NO_CAPACITY,
        /** {@code --resume} of a batch that is already decided. */
        ALREADY_DECIDED,
        /** {@code --resume} with input or a lane that do not match the registered batch. */
        RESUME_MISMATCH
    }

    private final Reason reason;

    private DispatchRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static DispatchRefusedException batchExists(String batchId, String what) {
        return new DispatchRefusedException(Reason.BATCH_EXISTS, "batch " + batchId + " already exists (" + what
                + "); add --resume to publish only its items that have no result yet, or choose another batch id");
    }

    /**
     * The lane is over its bound.
     *
     * @param published items of the batch published before the refusal (0: nothing was published)
     */
    public static DispatchRefusedException noCapacity(String batchId, String laneTopic, long backlog, long maxSize,
            long published) {
        String base = String.format(Locale.ROOT, "lane %s has a backlog of %,d records; %s is %,d", laneTopic,
                backlog, QueueBounds.MAX_SIZE, maxSize);
        return new DispatchRefusedException(Reason.NO_CAPACITY, published == 0
                ? base + "; nothing of batch " + batchId + " was published. Try again later, add workers, or drop"
                        + " --no-wait-for-capacity to wait for room"
                : String.format(Locale.ROOT, "%s after %,d items of batch %s were published; the batch is not sealed:"
                        + " dispatch it again with --resume to go on", base, published, batchId));
    }

    public static DispatchRefusedException alreadyDecided(String batchId, String status) {
        return new DispatchRefusedException(Reason.ALREADY_DECIDED, "batch " + batchId + " is already decided ("
                + status + "); there is nothing to resume");
    }

    public static DispatchRefusedException resumeMismatch(String batchId, String detail) {
        return new DispatchRefusedException(Reason.RESUME_MISMATCH, "cannot resume batch " + batchId + ": " + detail);
    }
}
