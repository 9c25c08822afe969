package dev.fanout.dispatcher;

import dev.fanout.config.ConfigException;
import java.util.List;

/**
 * An item that cannot be published. Its message starts with {@link #position()}, where the item is
 * ({@code stdin line 7}, {@code items[3]}, {@code item 12 (id a7)}). When a stream stopped at it, the message also
 * says what happened to the batch, and {@link #published()} and {@link #rejected()} tell it to code.
 */
public final class InvalidItemException extends ConfigException {

    private final String position;
    private final long published;
    private final List<String> rejected;

    /**
     * @param position where the item is, e.g. {@code stdin line 7}
     * @param problem  what is wrong and how to fix it
     */
    public InvalidItemException(String position, String problem) {
        this(position, position + ": " + problem, null, 0, List.of());
    }

    public InvalidItemException(String position, String problem, Throwable cause) {
        this(position, position + ": " + problem, cause, 0, List.of());
    }

    private InvalidItemException(String position, String message, Throwable cause, long published,
            List<String> rejected) {
        super(message, cause);
        this.position = position;
        this.published = published;
        this.rejected = List.copyOf(rejected);
    }

    /** The same error after a stream stopped at it: the message adds the batch's fate. */
    public static InvalidItemException stoppedAt(InvalidItemException error, String batchId, long published,
            RejectedItems rejected) {
        String message = error.getMessage() + "; batch " + batchId + " stopped after " + published
                + " published item" + (published == 1 ? "" : "s") + ", is not sealed and was sent a cancel signal ("
                + rejected.describe() + ")";
        return new InvalidItemException(error.position, message, error, published, rejected.positions());
    }

    /** Where the item is, e.g. {@code stdin line 7}. */
    public String position() {
        return position;
    }

    /** Items of the batch published before a stream stopped here (0 when nothing was published). */
    public long published() {
        return published;
    }

    /** Where the rejected items were; empty unless a stream stopped here. */
    public List<String> rejected() {
        return rejected;
    }
}
