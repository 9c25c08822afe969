package dev.fanout.aggregator.internal;

import dev.fanout.protocol.BatchStatus;
import java.util.Objects;

/**
 * What the rules decided about a batch.
 *
 * @param status the decided status
 * @param reason why, in one line; {@code null} for a plain success
 */
public record Verdict(BatchStatus status, String reason) {

    public Verdict {
        Objects.requireNonNull(status, "status");
    }
}
