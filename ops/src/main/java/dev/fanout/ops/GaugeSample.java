package dev.fanout.ops;

import java.util.Map;
import java.util.Objects;

/**
 * One labelled value of a gauge a service computes when it is scraped ({@link ServiceMetrics#withGauge}).
 *
 * @param labels label names to values; from closed sets, never batch or item ids
 */
public record GaugeSample(Map<String, String> labels, double value) {

    public GaugeSample {
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    }
}
