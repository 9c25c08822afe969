package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LatencyHistogramTest {

    @ParameterizedTest
    @ValueSource(doubles = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0})
    void percentilesAreWithinFivePercentOfTheExactValues(double percentile) {
        Random random = new Random(42);
        long[] values = new long[20_000];
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble() * Math.log(600_000)); // 1 ms .. 10 min, log-uniform
            histogram.record(values[i]);
        }
        Arrays.sort(values);
        long exact = values[(int) Math.ceil(percentile * values.length) - 1];

        assertThat((double) histogram.percentile(percentile)).isCloseTo(exact, within(Math.max(1, exact * 0.05)));
    }

    @Test
    void smallWholeMillisecondValuesAreReportedExactly() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long ms = 1; ms <= 100; ms++) {
            histogram.record(ms);
        }

        assertThat(histogram.percentile(0.5)).isCloseTo(50, within(2L));
        assertThat(histogram.percentile(0.95)).isCloseTo(95, within(4L));
        assertThat(histogram.percentile(0.99)).isCloseTo(99, within(4L));
        assertThat(histogram.percentile(1.0)).isEqualTo(100);
    }

    @Test
    void aSingleValueIsEveryPercentile() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(1234);

        assertThat(histogram.percentile(0.01)).isEqualTo(1234);
        assertThat(histogram.percentile(0.99)).isEqualTo(1234);
    }

    @Test
    void anEmptyHistogramReportsZeroAndZeroAndNegativeValuesShareTheFirstBucket() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertThat(histogram.percentile(0.5)).isZero();

        histogram.record(-5);
        histogram.record(0);
        assertThat(histogram.percentile(1.0)).isZero();
        assertThat(histogram.count()).isEqualTo(2);
    }

    @Test
    void hugeValuesLandInTheLastBucketAndAreClampedToTheLargestSeen() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(Long.MAX_VALUE);

        assertThat(LatencyHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
        assertThat(histogram.percentile(0.5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aPercentileOutsideZeroToOneIsRejected() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertThatThrownBy(() -> histogram.percentile(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("percentile must be in (0, 1], was 0.0");
        assertThatThrownBy(() -> histogram.percentile(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 1.5");
    }

    @Test
    void aHistogramSurvivesItsJsonRoundTripSparsely() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 1000; i++) {
            histogram.record(200 + i % 3);
        }
        JsonSerde<LatencyHistogram> serde = new JsonSerde<>(LatencyHistogram.class);

        byte[] json = serde.serializer().serialize("t", histogram);
        LatencyHistogram copy = serde.deserializer().deserialize("t", json);

        assertThat(json.length).isLessThan(80);
        assertThat(copy.count()).isEqualTo(1000);
        assertThat(copy.percentile(0.5)).isEqualTo(histogram.percentile(0.5));
        assertThat(copy.percentile(1.0)).isEqualTo(202);
    }
}
