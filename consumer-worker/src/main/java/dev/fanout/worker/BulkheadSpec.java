package dev.fanout.worker;

import dev.fanout.config.ConfigException;

/**
 * A named bulkhead: at most {@code maxConcurrent} items of the handlers that name it run at once in this worker,
 * capping what one downstream service sees.
 */
public record BulkheadSpec(int maxConcurrent) {

    public BulkheadSpec {
        if (maxConcurrent < 1) {
            throw new ConfigException("bulkheads.<name>.maxConcurrent must be >= 1, was " + maxConcurrent);
        }
    }
}
