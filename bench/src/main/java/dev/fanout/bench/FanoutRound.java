package dev.fanout.bench;

import dev.fanout.protocol.BatchResult;
import java.util.Map;

/**
 * One batch of {@code scripts/bench.sh system}, measured.
 *
 * @param batchId    the batch
 * @param items      its items
 * @param decision   the decision {@code fanout dispatch --wait --json} printed
 * @param timeline   registration, jobs, results and decision, from the records
 * @param cpuSeconds CPU of each process during the batch, by name: broker, aggregator, worker-N, dispatch
 * @param heap       GC figures of each process during the batch, by name (absent: no collection)
 * @param commandStartMs when the {@code fanout dispatch} command was started (epoch ms)
 * @param commandMs  wall time of the {@code fanout dispatch} command, JVM start included
 * @param allCountedMs when the aggregator's results API first showed every item counted (epoch ms, within 200 ms),
 *                   or -1 if the probe never saw it
 * @param jobs       where the batch's job records are (the peer copies them from there)
 */
record FanoutRound(String batchId, long items, BatchResult decision, StageTimeline timeline,
        Map<String, Double> cpuSeconds, Map<String, GcLog> heap, long commandStartMs, long commandMs,
        long allCountedMs, TopicSlice jobs) {

    /** Items per second from registration to decision. */
    double rate() {
        return timeline.rate(items);
    }
}
