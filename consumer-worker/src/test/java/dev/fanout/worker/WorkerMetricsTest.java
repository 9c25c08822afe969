package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.ops.BucketHistogram;
import dev.fanout.ops.MetricNames;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {

    @Test
    void anAttemptUpdatesTheHandlersLatencyTimerAndItsExportedSecondsHistogramAlike() {
        MetricRegistry registry = new MetricRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry, "w1");

        metrics.handlerRan("users.v2", Duration.ofMillis(40));
        metrics.handlerRan("users.v2", Duration.ofMillis(3));
        metrics.handlerRan("users.v2", Duration.ofSeconds(2));

        assertThat(metrics.handlerLatency("users.v2").getCount()).isEqualTo(3);
        String name = "worker.w1.handler.users_v2.duration";
        assertThat(MetricNames.exported(name)).isTrue();
        BucketHistogram histogram = (BucketHistogram) registry.getMetrics().get(name);
        assertThat(histogram).isSameAs(metrics.handlerDuration("users.v2"));
        long[] counts = histogram.bucketCounts();
        int le5ms = Arrays.binarySearch(BucketHistogram.SECONDS, 0.005);
        int le50ms = Arrays.binarySearch(BucketHistogram.SECONDS, 0.05);
        int le2500ms = Arrays.binarySearch(BucketHistogram.SECONDS, 2.5);
        assertThat(counts[le5ms]).isEqualTo(1);
        assertThat(counts[le50ms]).isEqualTo(1);
        assertThat(counts[le2500ms]).isEqualTo(1);
        assertThat(Arrays.stream(counts).sum()).isEqualTo(3);
        assertThat(histogram.sum()).isCloseTo(2.043, org.assertj.core.data.Offset.offset(1e-9));
    }
}
