package dev.fanout.aggregator.internal;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died of an unexpected exception, a bounded number of times over the client's life,
 * then shuts the client down. Each failure is logged once, at ERROR, with what happens next.
 */
public final class BoundedThreadReplacement implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(BoundedThreadReplacement.class);

    private final int maxReplacements;
    private final AtomicInteger replaced = new AtomicInteger();

    public BoundedThreadReplacement(int maxReplacements) {
        if (maxReplacements < 0) {
            throw new IllegalArgumentException("maxReplacements must be >= 0, was " + maxReplacements);
        }
        this.maxReplacements = maxReplacements;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
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
}
