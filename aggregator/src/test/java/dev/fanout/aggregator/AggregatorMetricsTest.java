package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.protocol.BatchStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AggregatorMetricsTest {

    @Test
    void aFirstDecisionRecordsItsSpeedUpUnlessNoItemRanAndInstancesOnOneRegistryShareTheHistogram() {
        MetricRegistry registry = new MetricRegistry();
        AggregatorMetrics one = AggregatorMetrics.of(registry);
        AggregatorMetrics other = AggregatorMetrics.of(registry);

        one.decided(BatchStatus.SUCCEEDED, Duration.ofSeconds(2), 3.5);
        other.decided(BatchStatus.FAILED, Duration.ofSeconds(1), 12.25);
        one.decided(BatchStatus.CANCELLED, Duration.ofSeconds(1), 0); // cancelled before any item ran

        assertThat(one.batchSpeedup()).isSameAs(other.batchSpeedup())
                .isSameAs(registry.getMetrics().get(AggregatorMetrics.BATCH_SPEEDUP));
        long[] counts = one.batchSpeedup().bucketCounts();
        assertThat(counts[2]).as("3.5 in le=4").isEqualTo(1);
        assertThat(counts[4]).as("12.25 in le=16").isEqualTo(1);
        assertThat(java.util.Arrays.stream(counts).sum()).isEqualTo(2);
        assertThat(one.batchSpeedup().sum()).isEqualTo(15.75);
        assertThat(registry.meter(AggregatorMetrics.DECISIONS + ".cancelled").getCount()).isEqualTo(1);
    }
}
