package dev.fanout.dispatcher;

import dev.fanout.protocol.Lane;
import java.time.Duration;

/**
 * What a dispatch published.
 *
 * @param batchId   the batch
 * @param total     items published (the sealed total)
 * @param lane      the jobs lane they went to
 * @param topic     that lane's topic
 * @param took      from registration to the sealed definition being acknowledged
 */
public record DispatchResult(String batchId, long total, Lane lane, String topic, Duration took) {
}
