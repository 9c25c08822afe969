package dev.fanout.ops;

import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Dropwizard registry as Prometheus metrics, with {@link MetricNames}' mapping. Several Dropwizard metrics become
 * one Prometheus metric with labels ({@code worker.w1.items.succeeded} and {@code worker.w1.items.failed} are both
 * {@code fanout_worker_items_total}, {@code event} telling them apart); client_java's {@link DropwizardExports} makes
 * one snapshot per Dropwizard metric, which a scrape refuses as duplicate names, so each metric is converted by its
 * own {@code DropwizardExports} and the snapshots of one name are merged here. {@link BucketHistogram}s, which
 * {@code DropwizardExports} does not know, are converted here into classic Prometheus histograms.
 */
final class DropwizardCollector implements MultiCollector {

    private final MetricRegistry registry;
    private final CustomLabelMapper mapper = new CustomLabelMapper(MetricNames.mappings());
    private final Map<String, DropwizardExports> converters = new ConcurrentHashMap<>();

    DropwizardCollector(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<MetricSnapshot>> byName = new TreeMap<>();
        for (Map.Entry<String, Metric> entry : new TreeMap<>(registry.getMetrics()).entrySet()) {
            String name = entry.getKey();
            if (!MetricNames.exported(name)) {
                continue;
            }
            if (entry.getValue() instanceof BucketHistogram histogram) {
                byName.computeIfAbsent(mapper.getName(name), key -> new ArrayList<>())
                        .add(histogram(name, histogram));
                continue;
            }
            DropwizardExports converter = converters.computeIfAbsent(name, key ->
                    new DropwizardExports(registry, (candidate, metric) -> candidate.equals(key), mapper));
            for (MetricSnapshot snapshot : converter.collect()) {
                byName.computeIfAbsent(snapshot.getMetadata().getPrometheusName(), key -> new ArrayList<>())
                        .add(snapshot);
            }
        }
        List<MetricSnapshot> merged = new ArrayList<>();
        byName.values().forEach(snapshots -> merged.add(merge(snapshots)));
        return new MetricSnapshots(merged);
    }

    private HistogramSnapshot histogram(String name, BucketHistogram histogram) {
        double[] finite = histogram.upperBounds();
        double[] bounds = Arrays.copyOf(finite, finite.length + 1);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        HistogramSnapshot.HistogramDataPointSnapshot point = new HistogramSnapshot.HistogramDataPointSnapshot(
                ClassicHistogramBuckets.of(bounds, histogram.bucketCounts()), histogram.sum(),
                mapper.getLabels(name, List.of(), List.of()), Exemplars.EMPTY, 0L);
        return new HistogramSnapshot(new MetricMetadata(mapper.getName(name)), List.of(point));
    }

    @SuppressWarnings("unchecked")
    private static MetricSnapshot merge(List<MetricSnapshot> snapshots) {
        MetricSnapshot first = snapshots.get(0);
        if (snapshots.size() == 1) {
            return first;
        }
        MetricMetadata metadata = first.getMetadata();
        List<DataPointSnapshot> points = new ArrayList<>();
        snapshots.forEach(snapshot -> points.addAll(snapshot.getDataPoints()));
        if (first instanceof CounterSnapshot) {
            return new CounterSnapshot(metadata, (List<CounterSnapshot.CounterDataPointSnapshot>) (List<?>) points);
        }
        if (first instanceof GaugeSnapshot) {
            return new GaugeSnapshot(metadata, (List<GaugeSnapshot.GaugeDataPointSnapshot>) (List<?>) points);
        }
        if (first instanceof SummarySnapshot) {
            return new SummarySnapshot(metadata, (List<SummarySnapshot.SummaryDataPointSnapshot>) (List<?>) points);
        }
        if (first instanceof HistogramSnapshot) {
            return new HistogramSnapshot(metadata,
                    (List<HistogramSnapshot.HistogramDataPointSnapshot>) (List<?>) points);
        }
        throw new IllegalStateException("cannot merge " + first.getClass().getSimpleName() + " snapshots of "
                + metadata.getPrometheusName());
    }
}
