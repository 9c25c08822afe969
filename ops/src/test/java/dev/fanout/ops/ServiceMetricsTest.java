package dev.fanout.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

    private final MetricRegistry dropwizard = new MetricRegistry();

    @Test
    void dropwizardNamesBecomeFanoutNamesWithClosedSetLabelsOneMetricForManyDropwizardOnes() throws Exception {
        dropwizard.meter("worker.w1.items.succeeded").mark(3);
        dropwizard.meter("worker.w1.items.failed").mark(1);
        dropwizard.counter("worker.w1.items.cancelled").inc(4);
        dropwizard.meter("worker.w2.items.succeeded").mark(5);
        dropwizard.meter("worker.w1.handler.users.failed." + MetricNames.labelValue("RETRIES_EXHAUSTED")).mark(2);
        dropwizard.counter("worker.w1.dead-letters." + MetricNames.labelValue("POISON")).inc();
        dropwizard.timer("worker.w1.handler.users.latency").update(Duration.ofMillis(250));
        dropwizard.counter("aggregator.results").inc(7);
        dropwizard.meter("dispatcher.items.published").mark(9);
        dropwizard.timer("aggregator.decision.latency").update(Duration.ofMillis(40));
        dropwizard.register("worker.w1.in-flight", (com.codahale.metrics.Gauge<Integer>) () -> 12);
        dropwizard.counter("worker.w1.dead-letters").inc(); // the all-reasons total: a sum over the labels instead

        String text = scrape(ServiceMetrics.of(dropwizard));

        assertThat(text)
                .contains("fanout_worker_items_total{event=\"succeeded\",worker=\"w1\"} 3.0")
                .contains("fanout_worker_items_total{event=\"failed\",worker=\"w1\"} 1.0")
                .contains("fanout_worker_items_total{event=\"cancelled\",worker=\"w1\"} 4.0")
                .contains("fanout_worker_items_total{event=\"succeeded\",worker=\"w2\"} 5.0")
                .contains("fanout_worker_handler_failed_total{handler=\"users\",reason=\"retries_exhausted\","
                        + "worker=\"w1\"} 2.0")
                .contains("fanout_worker_dead_letters_total{reason=\"poison\",worker=\"w1\"} 1.0")
                .contains("fanout_worker_handler_latency_seconds_count{handler=\"users\",worker=\"w1\"} 1")
                .contains("fanout_worker_in_flight{worker=\"w1\"} 12.0")
                .contains("fanout_aggregator_results_total 7.0")
                .contains("fanout_dispatcher_items_published_total 9.0")
                .contains("fanout_aggregator_decision_latency_seconds_count 1")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("worker_w1");
        assertThat(text.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .filter(line -> !line.startsWith("jvm_") && !line.startsWith("process_")))
                .allSatisfy(line -> assertThat(line).startsWith("fanout_"));
    }

    @Test
    void kafkaClientMetricsAreExportedOnceWithTheirTopicAndPartition() throws Exception {
        MetricName lag = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "w1", "topic", "fanout.jobs.normal", "partition", "3"));
        MetricName legacy = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "w1", "topic", "fanout_jobs_normal", "partition", "3"));
        MetricName ignored = new MetricName("connection-count", "consumer-metrics", "", Map.of("client-id", "w1"));
        Map<MetricName, Metric> metrics = Map.of(lag, metric(lag, 42), legacy, metric(legacy, 42),
                ignored, metric(ignored, 5));

        String text = scrape(ServiceMetrics.of(dropwizard).withKafkaClient("consumer", () -> metrics));

        assertThat(text).contains("fanout_kafka_consumer_records_lag{client_id=\"w1\",partition=\"3\","
                + "topic=\"fanout.jobs.normal\"} 42.0").doesNotContain("connection_count")
                .as("Kafka's deprecated copy with dots replaced").doesNotContain("fanout_jobs_normal");
    }

    @Test
    void aGaugeComputedAtEachScrapeIsExportedWithItsLabels() throws Exception {
        java.util.concurrent.atomic.AtomicLong lag = new java.util.concurrent.atomic.AtomicLong(7);
        ServiceMetrics metrics = ServiceMetrics.of(new MetricRegistry()).withGauge("fanout_lane_lag", "lag",
                () -> java.util.List.of(new GaugeSample(Map.of("lane", "normal", "topic", "f.jobs.normal"),
                        lag.get())));

        assertThat(scrape(metrics)).contains("fanout_lane_lag{lane=\"normal\",topic=\"f.jobs.normal\"} 7.0");
        lag.set(0);
        assertThat(scrape(metrics)).contains("fanout_lane_lag{lane=\"normal\",topic=\"f.jobs.normal\"} 0.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceMetrics.of(new MetricRegistry())
                .withGauge("lane_lag", "lag", java.util.List::of)).hasMessageContaining("must start with fanout_");
    }

    private static String scrape(ServiceMetrics metrics) throws Exception {
        try (metrics) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.scrape(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static Metric metric(MetricName name, double value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }

    @Test
    void jmxPublishesTheRegistryInTheFanoutDomainUntilClosed() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("dispatcher.items.published").inc(3);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName published = new ObjectName("fanout:name=dispatcher.items.published,type=counters");

        try (AutoCloseable jmx = ServiceMetrics.jmx(registry)) {
            assertThat(server.getAttribute(published, "Count")).isEqualTo(3L);
        }
        assertThat(server.isRegistered(published)).as("unregistered once closed").isFalse();
    }
}
