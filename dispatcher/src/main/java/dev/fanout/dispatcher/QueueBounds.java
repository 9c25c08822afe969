package dev.fanout.dispatcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import java.time.Duration;

/**
 * The {@code queue} section of a batch file: how much backlog the batch's lane may hold, and how long an item may
 * wait in it. Immutable; validated at construction; both values are optional.
 *
 * <pre>
 * queue:
 *   maxSize: 10000     # wait (or refuse) while the lane's backlog, the worker group's lag, is above 10,000 records
 *   timeout: 10m       # an item no worker has started 10 minutes after it was published is dead-lettered EXPIRED
 * </pre>
 *
 * @param maxSize the largest backlog of the lane (consumer lag of the worker group) at which items are still
 *                published, or {@code null} for no bound
 * @param timeout how long an item may wait between being published and being started, or {@code null} for ever
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueBounds(Long maxSize, Duration timeout) {

    public static final String MAX_SIZE = "queue.maxSize";
    public static final String TIMEOUT = "queue.timeout";

    public QueueBounds {
        if (maxSize != null && maxSize < 1) {
            throw new ConfigException(MAX_SIZE + " must be a whole number >= 1 (records of backlog), was " + maxSize);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new ConfigException(TIMEOUT + " must be a positive duration such as 30s or 10m, was "
                    + Durations.format(timeout));
        }
    }

    /** No bound and no timeout. */
    public static QueueBounds none() {
        return new QueueBounds(null, null);
    }
}
