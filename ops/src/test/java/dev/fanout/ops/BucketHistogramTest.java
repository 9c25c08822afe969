package dev.fanout.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BucketHistogramTest {

    private final MetricRegistry dropwizard = new MetricRegistry();

    @Test
    void aValueCountsInTheFirstBucketWhoseUpperBoundIsAtLeastIt() {
        BucketHistogram histogram = new BucketHistogram(1, 2, 4);

        histogram.update(0.5);
        histogram.update(1);
        histogram.update(1.5);
        histogram.update(4);
        histogram.update(9);

        assertThat(histogram.bucketCounts()).containsExactly(2, 1, 1, 1);
        assertThat(histogram.sum()).isEqualTo(16.0);
    }

    @Test
    void boundsMustBeFiniteAndIncreasingAndTheRegistryHandsBackTheSameHistogram() {
        assertThatThrownBy(() -> new BucketHistogram(1, 1)).hasMessageContaining("upperBounds");
        assertThatThrownBy(() -> new BucketHistogram()).hasMessageContaining("upperBounds");

        BucketHistogram first = BucketHistogram.in(dropwizard, "aggregator.batch.speedup", BucketHistogram.RATIO);

        assertThat(BucketHistogram.in(dropwizard, "aggregator.batch.speedup", BucketHistogram.RATIO)).isSameAs(first);
        dropwizard.counter("aggregator.results");
        assertThatThrownBy(() -> BucketHistogram.in(dropwizard, "aggregator.results", BucketHistogram.RATIO))
                .hasMessageContaining("aggregator.results");
    }

    @Test
    void histogramsOfSeveralWorkersAreOnePrometheusHistogramWithCumulativeBucketsSumAndCount() throws Exception {
        BucketHistogram w1 = BucketHistogram.in(dropwizard, "worker.w1.handler.users.duration",
                BucketHistogram.SECONDS);
        BucketHistogram w2 = BucketHistogram.in(dropwizard, "worker.w2.handler.users.duration",
                BucketHistogram.SECONDS);
        w1.update(0.03);
        w1.update(0.04);
        w1.update(0.2);
        w1.update(400);
        w2.update(0.001);
        BucketHistogram.in(dropwizard, "aggregator.batch.speedup", BucketHistogram.RATIO).update(7.5);

        String text = scrape();

        assertThat(text)
                .contains("# TYPE fanout_worker_handler_duration_seconds histogram")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w1\","
                        + "le=\"0.025\"} 0")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w1\","
                        + "le=\"0.05\"} 2")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w1\","
                        + "le=\"0.25\"} 3")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w1\","
                        + "le=\"300.0\"} 3")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w1\","
                        + "le=\"+Inf\"} 4")
                .contains("fanout_worker_handler_duration_seconds_count{handler=\"users\",worker=\"w1\"} 4")
                .contains("fanout_worker_handler_duration_seconds_sum{handler=\"users\",worker=\"w1\"} 400.27")
                .contains("fanout_worker_handler_duration_seconds_bucket{handler=\"users\",worker=\"w2\","
                        + "le=\"0.005\"} 1")
                .contains("fanout_worker_handler_duration_seconds_count{handler=\"users\",worker=\"w2\"} 1")
                .contains("# TYPE fanout_aggregator_batch_speedup histogram")
                .contains("fanout_aggregator_batch_speedup_bucket{le=\"4.0\"} 0")
                .contains("fanout_aggregator_batch_speedup_bucket{le=\"8.0\"} 1")
                .contains("fanout_aggregator_batch_speedup_sum 7.5");
        assertThat(text.lines().filter(line -> line.startsWith("# TYPE fanout_worker_handler_duration_seconds")))
                .as("one metric for both workers").hasSize(1);
    }

    private String scrape() throws Exception {
        try (ServiceMetrics metrics = ServiceMetrics.of(dropwizard)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.scrape(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
