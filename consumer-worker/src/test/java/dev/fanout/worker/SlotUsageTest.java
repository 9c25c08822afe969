package dev.fanout.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.worker.internal.SlotUsage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SlotUsageTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final SlotUsage usage = new SlotUsage(now::get);

    @Test
    void utilisationIsBusySlotTimeOverAvailableSlotTime() {
        SlotUsage.Reading start = usage.read();
        long a = usage.entered();
        now.addAndGet(100);
        long b = usage.entered();
        now.addAndGet(100);
        usage.left(a);   // a held a slot 200, b 100 so far
        now.addAndGet(200); // b 300 in all, still running

        SlotUsage.Reading end = usage.read();
        assertThat(end.busyNanos() - start.busyNanos()).isEqualTo(200 + 300);
        assertThat(end.utilisationSince(start, 4)).isCloseTo(500.0 / (400 * 4), within(1e-9));
        assertThat(usage.running()).isEqualTo(1);
    }

    @Test
    void anItemSpanningTwoReadingsIsCountedInEachForItsTimeThere() {
        long a = usage.entered();
        now.addAndGet(50);
        SlotUsage.Reading first = usage.read();
        now.addAndGet(150);
        usage.left(a);
        now.addAndGet(100);
        SlotUsage.Reading second = usage.read();

        assertThat(second.utilisationSince(first, 1)).isCloseTo(150.0 / 250, within(1e-9));
        assertThat(second.utilisationSince(second, 1)).isZero();
    }
}
