package dev.fanout.dispatcher;

import java.io.Closeable;
import java.util.OptionalLong;

/**
 * The items of a batch, read one at a time so that memory does not depend on the batch size.
 */
public interface ItemSource extends Closeable {

    /**
     * The next item, or {@code null} at the end.
     *
     * @throws dev.fanout.config.ConfigException for an invalid item, naming where it is (e.g. its line)
     */
    DispatchItem next();

    /** How many items there are, when known before reading them. */
    OptionalLong size();

    @Override
    void close();
}
