package dev.fanout.dispatcher.internal;

import dev.fanout.config.Durations;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.Sleeper;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Paces publishing: groups of {@code batchSize} items with {@code delayBetweenBatches} between them, and at most
 * {@code rateLimit} items per second. The rate is kept as a schedule (the next item is due one interval after the
 * previous one was due), so an oversleep of up to {@link #CATCH_UP} is made up; after a longer wait (a group pause,
 * the window, the lane's capacity) the schedule starts again from the item that went, so there is never a burst.
 * Takes a clock and a sleeper; not thread-safe (one per dispatch).
 */
public final class Pacer {

    /** The largest lateness that is made up; a later item restarts the schedule. */
    static final Duration CATCH_UP = Duration.ofMillis(100);

    private final Integer batchSize;
    private final Duration delayBetweenBatches;
    private final Duration interval;
    private final Double rateLimit;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private long sent;
    private Instant groupResumesAt;
    private Instant rateNext;

    public Pacer(Integer batchSize, Duration delayBetweenBatches, Double rateLimit, InstantSource clock,
            Sleeper sleeper) {
        this.batchSize = batchSize;
        this.delayBetweenBatches = delayBetweenBatches;
        this.rateLimit = rateLimit;
        this.interval = rateLimit == null ? null : Duration.ofNanos(Math.max(1, Math.round(1e9 / rateLimit)));
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** The pacing of a batch spec. */
    public static Pacer of(BatchSpec spec, InstantSource clock, Sleeper sleeper) {
        return new Pacer(spec.batchSize(), spec.delayBetweenBatches(), spec.rateLimit(), clock, sleeper);
    }

    public boolean isActive() {
        return batchSize != null || rateLimit != null;
    }

    /** How long the next item must wait at {@code now}: zero when it may go. */
    public Duration delayBefore(Instant now) {
        Duration wait = Duration.ZERO;
        if (groupResumesAt != null && now.isBefore(groupResumesAt)) {
            wait = Duration.between(now, groupResumesAt);
        }
        if (rateNext != null && now.isBefore(rateNext)) {
            Duration rateWait = Duration.between(now, rateNext);
            wait = rateWait.compareTo(wait) > 0 ? rateWait : wait;
        }
        return wait;
    }

    /**
     * Waits until the next item may go.
     *
     * @param onWait told why, before each wait
     */
    public void awaitTurn(Consumer<String> onWait) throws InterruptedException {
        if (!isActive()) {
            return;
        }
        for (Instant now = clock.instant(); !delayBefore(now).isZero(); now = clock.instant()) {
            onWait.accept(reason(now));
            sleeper.sleep(delayBefore(now));
        }
    }

    /** Records that an item went at {@code now}. */
    public void onSent(Instant now) {
        sent++;
        if (batchSize != null && sent % batchSize == 0) {
            groupResumesAt = now.plus(delayBetweenBatches);
        }
        if (interval != null) {
            Instant earliest = now.minus(CATCH_UP);
            Instant due = rateNext == null || rateNext.isBefore(earliest) ? now : rateNext;
            rateNext = due.plus(interval);
        }
    }

    /** Records that an item went now. */
    public void onSent() {
        if (isActive()) {
            onSent(clock.instant());
        }
    }

    private String reason(Instant now) {
        boolean groupPause = groupResumesAt != null && now.isBefore(groupResumesAt);
        if (groupPause && (rateNext == null || !groupResumesAt.isBefore(rateNext))) {
            return String.format(Locale.ROOT, "pacing: %s %,d, then %s %s", BatchSpec.BATCH_SIZE, batchSize,
                    BatchSpec.DELAY_BETWEEN_BATCHES, Durations.format(delayBetweenBatches));
        }
        return String.format(Locale.ROOT, "pacing: %s %s items/s", BatchSpec.RATE_LIMIT,
                BigDecimal.valueOf(rateLimit).stripTrailingZeros().toPlainString());
    }
}
