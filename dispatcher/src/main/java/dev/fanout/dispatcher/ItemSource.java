package dev.fanout.dispatcher;

import java.io.Closeable;
import java.util.OptionalLong;

/**
 * The items of a batch, read one at a time so that memory does not depend on the batch size.
 */
public interface ItemSource extends Closeable {

    /**
     * The next item, or {@code null} at the end. An invalid item is consumed before the exception is thrown, so the next call goes on with the item after it.
     *
     * @throws InvalidItemException for an invalid item, naming where it is (e.g. its line)
     */
    DispatchItem next();

    /** Where the item last returned (or rejected) by {@link #next()} is, e.g. {@code stdin line 7}; empty if unknown. */
    default String position() {
        return "";
    }

    /** How many items there are, when known before reading them. */
    OptionalLong size();

    @Override
    void close();
}
