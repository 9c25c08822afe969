package dev.fanout.cli;

import dev.fanout.config.LaneLag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How many workers a backlog needs, by Little's law: a slot busy for the handler latency {@code W} finishes
 * {@code 1/W} items a second, so draining {@code lag} items in the drain time {@code T} keeps
 * {@code lag x W / T} slots busy on average, and a worker has {@code concurrency} slots. A consumer-group lane gives
 * each partition to one worker, so more workers than partitions idle; a share-group lane has no such cap. A pure
 * function of its inputs.
 *
 * @param lanes    the advice per lane
 * @param inputs   what it was worked out from
 * @param slots    slots busy on average to drain every lane in the drain time
 * @param needed   workers Little's law needs, before any cap: {@code ceil(slots / concurrency)}
 * @param cap      the most workers that get work ({@code empty}: no cap, a share lane among the lanes)
 * @param replicas the advice: {@code needed} within the minimum, the cap and the maximum
 */
record ScalingAdvice(List<LaneAdvice> lanes, Inputs inputs, double slots, int needed, OptionalInt cap, int replicas) {

    /**
     * What the advice is worked out from.
     *
     * @param concurrency items one worker runs at once
     * @param latency     the mean time an item holds a slot (the handler's latency)
     * @param drainTime   how soon the backlog should be gone
     * @param minReplicas the fewest workers to keep (0 lets an idle deployment scale to zero)
     * @param maxReplicas the most workers to advise, whatever the backlog
     */
    record Inputs(int concurrency, Duration latency, Duration drainTime, int minReplicas, int maxReplicas) {
        Inputs {
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be >= 1, was " + concurrency);
            }
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative() || latency.isZero()) {
                throw new IllegalArgumentException("--latency must be positive, was " + latency);
            }
            Objects.requireNonNull(drainTime, "drainTime");
            if (drainTime.isNegative() || drainTime.isZero()) {
                throw new IllegalArgumentException("--drain-time must be positive, was " + drainTime);
            }
            if (minReplicas < 0 || maxReplicas < Math.max(1, minReplicas)) {
                throw new IllegalArgumentException("--min-replicas must be >= 0 and --max-replicas >= max(1,"
                        + " --min-replicas), were " + minReplicas + " and " + maxReplicas);
            }
        }

        /** Items one worker drains within the drain time: {@code concurrency x T / W}; KEDA's lag per replica. */
        long itemsPerWorker() {
            return Math.max(1, (long) Math.floor(concurrency * seconds(drainTime) / seconds(latency)));
        }
    }

    /**
     * One lane's share of the advice.
     *
     * @param load     the lane's lag and partitions, and the group that reads it
     * @param slots    slots busy on average to drain it in the drain time
     * @param needed   workers it needs alone, before any cap
     * @param cap      its partitions on a consumer-group lane ({@code empty} on a share lane)
     * @param replicas {@code needed} within the cap
     */
    record LaneAdvice(LaneLag.Reading load, double slots, int needed, OptionalInt cap, int replicas) {

        /** Whether its partitions stop it from getting the workers it needs. */
        boolean limitedByPartitions() {
            return cap.isPresent() && needed > cap.getAsInt();
        }
    }

    /** Works out the advice for the given lanes. */
    static ScalingAdvice of(List<LaneLag.Reading> loads, Inputs inputs) {
        double perSlotSeconds = seconds(inputs.latency()) / seconds(inputs.drainTime());
        double totalSlots = 0;
        boolean anyShare = false;
        int largestPartitions = 0;
        List<LaneAdvice> lanes = new ArrayList<>();
        for (LaneLag.Reading load : loads) {
            double slots = load.lag() * perSlotSeconds;
            int needed = workers(slots, inputs.concurrency());
            OptionalInt cap = load.group().share() ? OptionalInt.empty() : OptionalInt.of(load.partitions());
            lanes.add(new LaneAdvice(load, slots, needed, cap,
                    cap.isPresent() ? Math.min(needed, cap.getAsInt()) : needed));
            totalSlots += slots;
            anyShare |= load.group().share();
            largestPartitions = Math.max(largestPartitions, load.partitions());
        }
        int needed = workers(totalSlots, inputs.concurrency());
        // workers read every lane: beyond the largest lane's partitions, a consumer-group worker gets nothing
        OptionalInt cap = anyShare || largestPartitions == 0 ? OptionalInt.empty() : OptionalInt.of(largestPartitions);
        int upper = Math.min(inputs.maxReplicas(), cap.orElse(Integer.MAX_VALUE));
        int replicas = Math.max(inputs.minReplicas(), Math.min(needed, upper));
        return new ScalingAdvice(List.copyOf(lanes), inputs, totalSlots, needed, cap, replicas);
    }

    /**
     * How long the backlog takes to drain with {@code workers} workers (those beyond the cap idle), or empty when
     * it never drains (no workers for a backlog).
     */
    Optional<Duration> drainTimeWith(int workers) {
        if (slots == 0) {
            return Optional.of(Duration.ZERO);
        }
        int busy = Math.min(workers, cap.orElse(Integer.MAX_VALUE));
        if (busy <= 0) {
            return Optional.empty();
        }
        double drain = seconds(inputs.drainTime());
        double seconds = slots * drain / ((double) busy * inputs.concurrency());
        for (LaneAdvice lane : lanes) { // a lane cannot use more workers than its own partitions
            int laneBusy = Math.min(workers, lane.cap().orElse(Integer.MAX_VALUE));
            if (lane.slots() > 0) {
                seconds = laneBusy <= 0 ? Double.POSITIVE_INFINITY
                        : Math.max(seconds, lane.slots() * drain / ((double) laneBusy * inputs.concurrency()));
            }
        }
        return Double.isInfinite(seconds) ? Optional.empty()
                : Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
    }

    /** Whether partitions keep the advice below what Little's law needs. */
    boolean limitedByPartitions() {
        return cap.isPresent() && needed > cap.getAsInt() && inputs.maxReplicas() > cap.getAsInt();
    }

    private static int workers(double slots, int concurrency) {
        return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(slots / concurrency - 1e-9));
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
