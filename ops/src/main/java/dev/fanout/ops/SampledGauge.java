package dev.fanout.ops;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/** A gauge whose samples are asked for at each scrape: what {@link ServiceMetrics#withGauge} registers. */
final class SampledGauge implements Collector {

    private final String name;
    private final String help;
    private final Supplier<List<GaugeSample>> samples;

    SampledGauge(String name, String help, Supplier<List<GaugeSample>> samples) {
        if (!Objects.requireNonNull(name, "name").startsWith(MetricNames.PREFIX)) {
            throw new IllegalArgumentException("a gauge's name must start with " + MetricNames.PREFIX + ", was "
                    + name);
        }
        this.name = name;
        this.help = Objects.requireNonNull(help, "help");
        this.samples = Objects.requireNonNull(samples, "samples");
    }

    @Override
    public MetricSnapshot collect() {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        for (GaugeSample sample : samples.get()) {
            Map<String, String> sorted = new TreeMap<>(sample.labels());
            gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(sample.value())
                    .labels(Labels.of(new ArrayList<>(sorted.keySet()), new ArrayList<>(sorted.values()))).build());
        }
        return gauge.build();
    }

    @Override
    public String getPrometheusName() {
        return name;
    }
}
