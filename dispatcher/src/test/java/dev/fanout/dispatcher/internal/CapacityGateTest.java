package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import java.time.Instant;
import dev.fanout.testkit.ManualClock;

class CapacityGateTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final Backlogs backlogs = new Backlogs();
    private final List<String> reasons = new ArrayList<>();

    @Test
    void belowTheBoundItemsGoWithoutMeasuringEachTime() throws Exception {
        backlogs.next(0);
        CapacityGate gate = gate(100);

        for (int i = 0; i < 50; i++) {
            assertThat(gate.awaitRoom(true, reasons::add)).isTrue();
            gate.onPublished();
        }

        assertThat(backlogs.measured).isEqualTo(1);
        assertThat(reasons).isEmpty();
    }

    @Test
    void theBacklogIsMeasuredAgainWhenItemsPublishedSinceWouldReachTheBound() throws Exception {
        backlogs.next(95, 40);
        CapacityGate gate = gate(100);

        for (int i = 0; i < 6; i++) {
            assertThat(gate.awaitRoom(true, reasons::add)).isTrue();
            gate.onPublished();
        }

        assertThat(backlogs.measured).isEqualTo(2);
        assertThat(gate.lastBacklog()).isEqualTo(40);
    }

    @Test
    void aFullLaneWaitsWithAVisibleReasonUntilTheWorkersCatchUp() throws Exception {
        backlogs.next(150, 120, 99);
        CapacityGate gate = gate(100);
        long start = clock.millis();

        assertThat(gate.awaitRoom(true, reasons::add)).isTrue();

        assertThat(reasons).containsExactly(
                "capacity: lane fanout.jobs.normal has a backlog of 150 records, queue.maxSize is 100",
                "capacity: lane fanout.jobs.normal has a backlog of 120 records, queue.maxSize is 100");
        assertThat(clock.millis() - start).isEqualTo(2 * CapacityGate.POLL.toMillis());
    }

    @Test
    void aFullLaneIsReportedAtOnceWhenTheDispatchMustNotWait() throws Exception {
        backlogs.next(100);
        CapacityGate gate = gate(100);

        assertThat(gate.awaitRoom(false, reasons::add)).isFalse();

        assertThat(gate.lastBacklog()).isEqualTo(100);
        assertThat(reasons).isEmpty();
    }

    @Test
    void anOldMeasurementIsRenewedEvenFarBelowTheBound() throws Exception {
        backlogs.next(0, 0);
        CapacityGate gate = gate(1000);
        gate.awaitRoom(true, reasons::add);
        clock.advance(CapacityGate.RECHECK.plus(Duration.ofMillis(1)));

        gate.awaitRoom(true, reasons::add);

        assertThat(backlogs.measured).isEqualTo(2);
    }

    private CapacityGate gate(long maxSize) {
        return new CapacityGate(maxSize, backlogs, "fanout.jobs.normal", clock, clock::advance);
    }

    /** Hands out the given backlogs in turn, repeating the last one. */
    private static final class Backlogs implements LongSupplier {
        private final Deque<Long> values = new ArrayDeque<>();
        private long last;
        private int measured;

        void next(long... backlogs) {
            for (long value : backlogs) {
                values.add(value);
            }
        }

        @Override
        public long getAsLong() {
            measured++;
            if (!values.isEmpty()) {
                last = values.poll();
            }
            return last;
        }
    }
}
