package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fanout.protocol.Lane;
import dev.fanout.worker.internal.LaneGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LaneGateTest {

    @Test
    void strictPriorityLetsEveryWaitingHighItemInBeforeAnyLowOne() throws Exception {
        LaneGate gate = new LaneGate(1, LanePolicy.strict());
        gate.acquire(Lane.LOW); // the only slot is taken
        List<Lane> order = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            enter(gate, Lane.LOW, order);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting(Lane.LOW) == 3);
        for (int i = 0; i < 3; i++) {
            enter(gate, Lane.HIGH, order);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting(Lane.HIGH) == 3);

        gate.release();

        await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 6);
        assertThat(order).containsExactly(Lane.HIGH, Lane.HIGH, Lane.HIGH, Lane.LOW, Lane.LOW, Lane.LOW);
    }

    @Test
    void weightedPriorityServesLanesInProportionAndNeverStarvesTheLowOne() throws Exception {
        LaneGate gate = new LaneGate(1, LanePolicy.weighted(Map.of(Lane.HIGH, 3, Lane.LOW, 1)));
        gate.acquire(Lane.NORMAL);
        List<Lane> order = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            enter(gate, Lane.HIGH, order);
            enter(gate, Lane.LOW, order);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting(Lane.HIGH) + gate.waiting(Lane.LOW) == 16);

        gate.release();

        await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 16);
        assertThat(order.subList(0, 8)).filteredOn(lane -> lane == Lane.HIGH).hasSize(6);
        assertThat(order.subList(0, 8)).contains(Lane.LOW);
    }

    @Test
    void growingTheGateLetsWaitersIn() throws Exception {
        LaneGate gate = new LaneGate(1, LanePolicy.strict());
        gate.acquire(Lane.NORMAL);
        List<Lane> order = new CopyOnWriteArrayList<>();
        enter(gate, Lane.NORMAL, order);
        enter(gate, Lane.NORMAL, order);
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting(Lane.NORMAL) == 2);

        gate.resize(3);

        await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 2);
    }

    /** A virtual thread that enters the gate, notes its lane, and leaves at once. */
    private static void enter(LaneGate gate, Lane lane, List<Lane> order) {
        Thread.ofVirtual().start(() -> {
            try {
                gate.acquire(lane);
                order.add(lane);
                gate.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
