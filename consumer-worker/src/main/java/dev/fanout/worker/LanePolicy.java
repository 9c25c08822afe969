package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import dev.fanout.protocol.Lane;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which lane's waiting item starts next when a slot frees: {@code strict} (always the highest lane with an item
 * waiting) or {@code weighted} (smooth weighted round-robin over the lanes with items waiting, so a low lane is
 * slowed but never starved).
 *
 * @param weighted whether weights apply
 * @param weights  per lane, at least 1 (only with weighted)
 */
public record LanePolicy(boolean weighted, Map<Lane, Integer> weights) {

    public static final Map<Lane, Integer> DEFAULT_WEIGHTS = Map.of(Lane.HIGH, 6, Lane.NORMAL, 3, Lane.LOW, 1);

    public LanePolicy {
        Map<Lane, Integer> all = new EnumMap<>(Lane.class);
        all.putAll(DEFAULT_WEIGHTS);
        if (weights != null) {
            all.putAll(weights);
        }
        all.forEach((lane, weight) -> {
            if (weight == null || weight < 1) {
                throw new ConfigException("worker.laneWeights." + lane.id() + " must be >= 1, was " + weight);
            }
        });
        weights = Map.copyOf(all);
    }

    public static LanePolicy strict() {
        return new LanePolicy(false, null);
    }

    public static LanePolicy weighted(Map<Lane, Integer> weights) {
        return new LanePolicy(true, weights);
    }
}
