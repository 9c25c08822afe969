package dev.fanout.ops;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The Kafka clients' own metrics that operators look at (consumer lag per partition, fetch and consume rates,
 * produce rates and errors), as gauges named {@code fanout_kafka_<consumer|producer>_<metric>} with the client id and
 * the metric's topic and partition as labels. Read from the clients' {@code metrics()} at each scrape.
 */
final class KafkaClientMetrics implements MultiCollector {

    private static final Map<String, Set<String>> EXPORTED = Map.of(
            "consumer-fetch-manager-metrics", Set.of("records-lag", "records-lag-max", "fetch-rate",
                    "records-consumed-rate", "bytes-consumed-rate"),
            "producer-metrics", Set.of("record-send-rate", "record-error-rate", "request-latency-avg",
                    "batch-size-avg", "record-queue-time-avg"));

    private record Client(String role, Supplier<Map<MetricName, ? extends Metric>> metrics) {
    }

    private final List<Client> clients = new CopyOnWriteArrayList<>();

    void add(String role, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        clients.add(new Client(role, metrics));
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, GaugeSnapshot.Builder> gauges = new TreeMap<>();
        for (Client client : clients) {
            for (Map.Entry<MetricName, ? extends Metric> entry : client.metrics().get().entrySet()) {
                MetricName name = entry.getKey();
                if (!EXPORTED.getOrDefault(name.group(), Set.of()).contains(name.name())) {
                    continue;
                }
                if (!(entry.getValue().metricValue() instanceof Number number) || Double.isNaN(number.doubleValue())
                        || Double.isInfinite(number.doubleValue())) {
                    continue;
                }
                String prometheusName = MetricNames.PREFIX + "kafka_" + client.role() + "_"
                        + name.name().replace('-', '_');
                List<String> labelNames = new ArrayList<>();
                List<String> labelValues = new ArrayList<>();
                for (String tag : List.of("client-id", "topic", "partition")) {
                    if (name.tags().containsKey(tag)) {
                        labelNames.add(tag.replace('-', '_'));
                        labelValues.add(name.tags().get(tag));
                    }
                }
                gauges.computeIfAbsent(prometheusName, key -> GaugeSnapshot.builder().name(key)
                        .help("Kafka " + client.role() + " metric " + name.group() + "/" + name.name()))
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(number.doubleValue())
                                .labels(Labels.of(labelNames, labelValues)).build());
            }
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        gauges.values().forEach(builder -> snapshots.add(builder.build()));
        return new MetricSnapshots(snapshots);
    }
}
