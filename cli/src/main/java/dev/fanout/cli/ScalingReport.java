package dev.fanout.cli;

import dev.fanout.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fanout scaling advise}'s output: a table of lanes and the advice with its arithmetic and limits, or one
 * JSON document.
 *
 * @param advice            the advice
 * @param running           workers running now
 * @param concurrencySource where the concurrency came from, for the reader
 * @param latencySource     where the latency came from
 */
record ScalingReport(ScalingAdvice advice, int running, String concurrencySource, String latencySource) {

    List<String> lines() {
        ScalingAdvice.Inputs in = advice.inputs();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-7s %-28s %-22s %-8s %10s %12s %8s %7s", "LANE", "TOPIC", "GROUP",
                "TYPE", "PARTITIONS", "LAG", "SLOTS", "NEEDS"));
        for (ScalingAdvice.LaneAdvice lane : advice.lanes()) {
            lines.add(String.format(Locale.ROOT, "%-7s %-28s %-22s %-8s %10d %,12d %8.1f %7d%s", lane.load().lane().id(),
                    lane.load().topic(), lane.load().group().groupId(), lane.load().group().share() ? "share" : "consumer",
                    lane.load().partitions(), lane.load().lag(), lane.slots(), lane.needed(),
                    lane.limitedByPartitions() ? "  (partitions cap it at " + lane.cap().getAsInt() + ")" : ""));
        }
        lines.add(String.format(Locale.ROOT, "inputs: concurrency %d per worker (%s); handler latency %s (%s);"
                + " drain time %s", in.concurrency(), concurrencySource, millis(in.latency()), latencySource,
                Durations.format(in.drainTime())));
        long lag = advice.lanes().stream().mapToLong(lane -> lane.load().lag()).sum();
        lines.add(String.format(Locale.ROOT, "Little's law: %,d items x %.3f s / %.0f s = %.1f slots busy on average;"
                + " / %d slots per worker = %d worker%s", lag, ScalingAdvice.seconds(in.latency()),
                ScalingAdvice.seconds(in.drainTime()), advice.slots(), in.concurrency(), advice.needed(),
                advice.needed() == 1 ? "" : "s"));
        lines.add(advice.cap().isPresent()
                ? "limit: consumer-group lanes give work to at most " + advice.cap().getAsInt() + " workers (one per"
                        + " partition of the largest lane); more would idle"
                : "limit: none from partitions (a share-group lane, or no lane topic yet); --max-replicas "
                        + in.maxReplicas());
        lines.add(String.format(Locale.ROOT, "advice: %d worker%s (now %d); the backlog drains in %s with them"
                + " (%s with the workers now)", advice.replicas(), advice.replicas() == 1 ? "" : "s", running,
                drain(advice.drainTimeWith(advice.replicas())), drain(advice.drainTimeWith(running))));
        if (advice.limitedByPartitions()) {
            lines.add("partitions keep the drain above " + Durations.format(in.drainTime()) + ": add partitions to"
                    + " the lane topics, raise the workers' maxConcurrency, or run unordered lanes on a share group");
        }
        return lines;
    }

    Map<String, Object> document() {
        ScalingAdvice.Inputs in = advice.inputs();
        List<Map<String, Object>> lanes = new ArrayList<>();
        for (ScalingAdvice.LaneAdvice lane : advice.lanes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("lane", lane.load().lane().id());
            entry.put("topic", lane.load().topic());
            entry.put("group", lane.load().group().groupId());
            entry.put("groupType", lane.load().group().share() ? "share" : "consumer");
            entry.put("partitions", lane.load().partitions());
            entry.put("lag", lane.load().lag());
            entry.put("slots", lane.slots());
            entry.put("needed", lane.needed());
            lane.cap().ifPresent(cap -> entry.put("cap", cap));
            entry.put("replicas", lane.replicas());
            lanes.add(entry);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("lanes", lanes);
        document.put("concurrency", in.concurrency());
        document.put("latencyMs", in.latency().toMillis());
        document.put("drainTimeMs", in.drainTime().toMillis());
        document.put("slots", advice.slots());
        document.put("needed", advice.needed());
        advice.cap().ifPresent(cap -> document.put("cap", cap));
        document.put("replicas", advice.replicas());
        document.put("running", running);
        advice.drainTimeWith(advice.replicas()).ifPresent(d -> document.put("drainMsWithAdvice", d.toMillis()));
        document.put("limitedByPartitions", advice.limitedByPartitions());
        document.put("lagThresholdPerWorker", in.itemsPerWorker());
        return document;
    }

    private static String millis(Duration duration) {
        return String.format(Locale.ROOT, "%,.0f ms", duration.toNanos() / 1e6);
    }

    private static String drain(Optional<Duration> drain) {
        return drain.map(d -> d.toSeconds() < 1 ? millis(d) : Durations.format(Duration.ofSeconds(
                (long) Math.ceil(d.toMillis() / 1000.0)))).orElse("never");
    }
}
