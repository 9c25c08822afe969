package dev.fanout.aggregator.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died of an unexpected exception, a bounded number of times over the client's life,
 * then shuts the client down. A missing source topic (the results or batches topic deleted under the aggregator) shuts
 * it down at once: every replacement would die of it too, each after a rebalance that waits out the dead member's
 * session. Each failure is logged once, at ERROR, with what happens next.
 */
public final class BoundedThreadReplacement implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(BoundedThreadReplacement.class);

    private final int maxReplacements;
    private final AtomicInteger replaced = new AtomicInteger();
    private volatile Throwable lastFailure;

    public BoundedThreadReplacement(int maxReplacements) {
        if (maxReplacements < 0) {
            throw new IllegalArgumentException("maxReplacements must be >= 0, was " + maxReplacements);
        }
        this.maxReplacements = maxReplacements;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        lastFailure = exception;
        if (isMissingSourceTopic(exception)) {
            log.error("aggregator stream thread died: a topic it reads is missing; shutting the aggregator down",
                    exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        int attempt = replaced.incrementAndGet();
        if (attempt <= maxReplacements) {
            log.error("aggregator stream thread died; replacing it ({} of {} replacements)", attempt,
                    maxReplacements, exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        log.error("aggregator stream thread died after {} replacements; shutting the aggregator down",
                maxReplacements, exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    private static boolean isMissingSourceTopic(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof MissingSourceTopicException) {
                return true;
            }
        }
        return false;
    }

    /** The exception that killed the latest stream thread, if one died. */
    public Optional<Throwable> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }
}
