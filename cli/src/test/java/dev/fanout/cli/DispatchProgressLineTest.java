package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.dispatcher.DispatchProgress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DispatchProgressLineTest {

    private static final Instant START = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void withWaitTheBarRateAndEtaFollowFinishedItems() {
        DispatchProgress progress = progress(DispatchProgress.State.PUBLISHING, null, 10_000L, 6_000, 3_900, 100, 0);

        assertThat(DispatchProgressLine.format(progress, true, 500, true)).isEqualTo(
                "[############------------------]  40% 6,000/10,000 dispatched, 3,900 succeeded, 100 failed,"
                        + " 500 items/s, ETA 12s");
    }

    @Test
    void withoutWaitTheEtaIsForPublishingAndPlainLinesHaveNoBar() {
        DispatchProgress progress = progress(DispatchProgress.State.PUBLISHING, null, 10_000L, 6_000, 0, 0, 0);

        assertThat(DispatchProgressLine.format(progress, false, 2_000, false)).isEqualTo(
                "progress: 6,000/10,000 dispatched, 0 succeeded, 0 failed, 2,000 items/s, ETA 2s");
    }

    @Test
    void aWaitingDispatchSaysWhatItWaitsForAndAStreamHasNoEta() {
        DispatchProgress progress = progress(DispatchProgress.State.WAITING,
                "maxConcurrency 5: 5 items of the batch are published and have no result yet", null, 5, 0, 0, 2);

        assertThat(DispatchProgressLine.format(progress, true, 0, false)).isEqualTo(
                "progress: 5 dispatched, 0 succeeded, 0 failed, 2 rejected, 0 items/s, ETA ?, waiting: maxConcurrency"
                        + " 5: 5 items of the batch are published and have no result yet");
    }

    @Test
    void longEtasAreWrittenInMinutesAndHours() {
        DispatchProgress progress = progress(DispatchProgress.State.PUBLISHING, null, 1_000_000L, 1_000, 0, 0, 0);

        assertThat(DispatchProgressLine.format(progress, false, 100, false)).endsWith("ETA 2h46m");
        assertThat(DispatchProgressLine.format(progress, false, 10_000, false)).endsWith("ETA 1m40s");
    }

    private static DispatchProgress progress(DispatchProgress.State state, String waitingFor, Long total,
            long published, long succeeded, long failed, long rejected) {
        return new DispatchProgress("b1", state, waitingFor, total, published, published, 0, succeeded, failed,
                rejected, START, START.plusSeconds(10));
    }
}
