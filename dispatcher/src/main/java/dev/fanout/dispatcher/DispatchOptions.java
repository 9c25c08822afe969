package dev.fanout.dispatcher;

import java.util.Objects;

/**
 * How one dispatch behaves when the batch exists, the lane is full or an item is invalid. Immutable.
 *
 * @param resume          publish only the items of an existing batch that have no result yet (by index), then seal
 *                        it; without it, a batch id that already exists is refused
 * @param waitForCapacity when the lane's backlog is above {@code queue.maxSize}: wait (true, the default) or refuse
 *                        with {@link DispatchRefusedException.Reason#NO_CAPACITY} ({@code --no-wait-for-capacity})
 * @param onInvalidItem   {@link InvalidItemPolicy#FAIL} (default) or {@link InvalidItemPolicy#SKIP}
 */
public record DispatchOptions(boolean resume, boolean waitForCapacity, InvalidItemPolicy onInvalidItem) {

    public static final boolean DEFAULT_WAIT_FOR_CAPACITY = true;
    public static final InvalidItemPolicy DEFAULT_ON_INVALID_ITEM = InvalidItemPolicy.FAIL;

    public DispatchOptions {
        Objects.requireNonNull(onInvalidItem, "onInvalidItem");
    }

    /** A new batch, waiting for capacity, failing on the first invalid item. */
    public static DispatchOptions ofDefaults() {
        return new DispatchOptions(false, DEFAULT_WAIT_FOR_CAPACITY, DEFAULT_ON_INVALID_ITEM);
    }

    public DispatchOptions withResume(boolean value) {
        return new DispatchOptions(value, waitForCapacity, onInvalidItem);
    }

    public DispatchOptions withWaitForCapacity(boolean value) {
        return new DispatchOptions(resume, value, onInvalidItem);
    }

    public DispatchOptions withOnInvalidItem(InvalidItemPolicy policy) {
        return new DispatchOptions(resume, waitForCapacity, policy);
    }
}
