package dev.fanout.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of the {@code simulate} handler. Unknown names and impossible values are refused with a message naming
 * the setting.
 *
 * @param latencyMs    mean handler time in milliseconds
 * @param distribution {@code fixed}, {@code uniform} (0.5x to 1.5x the mean) or {@code exponential}
 * @param failureRate  0..1: the share of items that fail
 * @param seed         with the item index, decides each item's latency and failure
 */
public record SimulateSettings(long latencyMs, String distribution, double failureRate, long seed) {

    public static final long DEFAULT_LATENCY_MS = 20;
    public static final String DEFAULT_DISTRIBUTION = "fixed";
    public static final double DEFAULT_FAILURE_RATE = 0.0;
    public static final long DEFAULT_SEED = 42;
    private static final Set<String> NAMES = Set.of("latencyMs", "distribution", "failureRate", "seed");
    private static final Set<String> DISTRIBUTIONS = Set.of("fixed", "uniform", "exponential");

    public SimulateSettings {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("simulate.latencyMs must be >= 0, was " + latencyMs);
        }
        if (!DISTRIBUTIONS.contains(distribution)) {
            throw new IllegalArgumentException("simulate.distribution must be one of fixed, uniform, exponential, was '"
                    + distribution + "'");
        }
        if (Double.isNaN(failureRate) || failureRate < 0 || failureRate > 1) {
            throw new IllegalArgumentException("simulate.failureRate must be between 0 and 1, was " + failureRate);
        }
    }

    public static SimulateSettings ofDefaults() {
        return new SimulateSettings(DEFAULT_LATENCY_MS, DEFAULT_DISTRIBUTION, DEFAULT_FAILURE_RATE, DEFAULT_SEED);
    }

    /** These settings with the ones present in {@code overrides} replaced. */
    public SimulateSettings with(JsonNode overrides) {
        if (overrides == null || overrides.isNull() || overrides.isEmpty()) {
            return this;
        }
        if (!overrides.isObject()) {
            throw new IllegalArgumentException("simulate settings must be an object, was " + overrides.getNodeType());
        }
        for (Iterator<String> names = overrides.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("simulate has no setting '" + name + "'; known: " + NAMES);
            }
        }
        return new SimulateSettings(
                number(overrides, "latencyMs", latencyMs),
                overrides.has("distribution")
                        ? overrides.get("distribution").asText().toLowerCase(Locale.ROOT) : distribution,
                overrides.has("failureRate") ? decimal(overrides.get("failureRate")) : failureRate,
                number(overrides, "seed", seed));
    }

    private static long number(JsonNode node, String name, long fallback) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("simulate." + name + " must be a whole number, was " + value);
        }
        return value.longValue();
    }

    private static double decimal(JsonNode value) {
        if (!value.isNumber()) {
            throw new IllegalArgumentException("simulate.failureRate must be a number, was " + value);
        }
        return value.doubleValue();
    }
}
