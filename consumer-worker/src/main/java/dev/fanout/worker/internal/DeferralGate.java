package dev.fanout.worker.internal;

import dev.fanout.protocol.FanoutHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decides, for the poll loop, whether a record from a retry tier or the parking topic may go to the scheduler now.
 * When it may not, the loop seeks its partition back to the record and pauses it until the gate opens, so nothing
 * waits in memory and the partition's offsets stay exact.
 * <ul>
 *   <li>A retry-tier record is released at its due time or at its timestamp plus the tier's delay, whichever comes
 *       first. Every record of a tier waits the same delay, so a tier partition is in due order.</li>
 *   <li>A parked record is released when its batch is no longer paused, or when a release signal (any batch's resume
 *       or cancel) came after it was parked: it is then read and parked again behind the others, so one paused batch
 *       never holds back a resumed one on the same partition.</li>
 *   <li>Any deferred record of a cancelled batch is released at once, to be recorded {@code CANCELLED}.</li>
 * </ul>
 */
public final class DeferralGate {

    /** Why a partition waits. */
    sealed interface Wait {
        boolean over(InstantSource clock, ControlSignals signals);
    }

    /** Until a point in time, or a release signal (a cancel may free the record at once). */
    record Until(Instant when, long seen) implements Wait {
        @Override
        public boolean over(InstantSource clock, ControlSignals signals) {
            return !clock.instant().isBefore(when) || signals.lastRelease() > seen;
        }
    }

    /** Until a release signal after the last one seen, or a point in time (when the parked head goes round again). */
    record Release(long seen, Instant latest) implements Wait {
        @Override
        public boolean over(InstantSource clock, ControlSignals signals) {
            return signals.lastRelease() > seen || !clock.instant().isBefore(latest);
        }
    }

    /**
     * How long a parked record of a still-paused batch may hold its partition before it is read and parked again
     * behind the others: it bounds how long a record parked by a worker that had not yet read a resume can wait
     * behind it.
     */
    static final Duration PARKED_RECHECK = Duration.ofMinutes(5);

    private final DeferredRecords deferred;
    private final ControlSignals signals;
    private final InstantSource clock;

    public DeferralGate(DeferredRecords deferred, ControlSignals signals, InstantSource clock) {
        this.deferred = deferred;
        this.signals = signals;
        this.clock = clock;
    }

    boolean applies(String topic) {
        return deferred.isDeferred(topic);
    }

    /** Whether the deferred record is another consumer group's: it is skipped. */
    boolean isForeign(ConsumerRecord<String, byte[]> record) {
        return deferred.isForeign(record);
    }

    /** Empty when the record may go now; else what its partition waits for. */
    Optional<Wait> check(ConsumerRecord<String, byte[]> record) {
        Optional<String> batchId = FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID);
        if (batchId.isPresent() && signals.isCancelled(batchId.get(), record.headers())) {
            return Optional.empty();
        }
        Optional<Duration> tier = deferred.tierOf(record.topic());
        if (tier.isPresent()) {
            Instant byTier = Instant.ofEpochMilli(record.timestamp()).plus(tier.get());
            Instant due = deferred.dueAt(record);
            Instant release = due.isBefore(byTier) ? due : byTier;
            return clock.instant().isBefore(release) ? Optional.of(new Until(release, signals.lastRelease()))
                    : Optional.empty();
        }
        if (batchId.isEmpty() || !signals.isPaused(batchId.get())) {
            return Optional.empty();
        }
        long seen = signals.lastRelease();
        long parkedAfter = FanoutHeaders.number(record.headers(), FanoutHeaders.PARKED_CONTROL_OFFSET).orElse(-1);
        Instant recheck = Instant.ofEpochMilli(FanoutHeaders.number(record.headers(), FanoutHeaders.PARKED_AT)
                .orElse(record.timestamp())).plus(PARKED_RECHECK);
        boolean stale = !clock.instant().isBefore(recheck);
        return parkedAfter < seen || stale ? Optional.empty() : Optional.of(new Release(seen, recheck));
    }

    boolean over(Wait wait) {
        return wait.over(clock, signals);
    }
}
