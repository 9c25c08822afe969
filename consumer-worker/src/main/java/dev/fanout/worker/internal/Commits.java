package dev.fanout.worker.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop's offset commits. Only offsets below which every outcome is durable are committed (what
 * {@link OffsetTracker} offers): asynchronously every {@code commitInterval} on the worker's clock, and synchronously
 * for partitions the worker gives up, after draining them.
 */
final class Commits {

    private static final Logger log = LoggerFactory.getLogger(Commits.class);

    private final Consumer<String, byte[]> consumer;
    private final OffsetTracker offsets;
    private final RetryWaits waits;
    private final Duration commitInterval;
    private final Duration drainTimeout;
    private final InstantSource clock;
    private Instant lastCommit;

    Commits(Consumer<String, byte[]> consumer, OffsetTracker offsets, RetryWaits waits, Duration commitInterval,
            Duration drainTimeout, InstantSource clock) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.commitInterval = Objects.requireNonNull(commitInterval, "commitInterval");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastCommit = clock.instant();
    }

    /** Commits what moved since the last commit, asynchronously, once {@code commitInterval} has passed. */
    void commitIfDue() {
        if (clock.instant().isBefore(lastCommit.plus(commitInterval))) {
            return;
        }
        lastCommit = clock.instant();
        Map<TopicPartition, OffsetAndMetadata> committable = offsets.committable();
        if (!committable.isEmpty()) {
            consumer.commitAsync(committable, (done, error) -> {
                if (error != null) {
                    offsets.commitFailed(committable.keySet());
                    log.warn("offset commit failed ({}); it is retried at the next commit", error.toString());
                }
            });
        }
    }

    /**
     * Waits for the unfinished records of the given partitions, at most {@code drainTimeout}, then commits them.
     * Items waiting in memory for their next attempt hand it to a retry tier at once. Records still unfinished when
     * the timeout passes are abandoned: the commit stays below them, so they run again elsewhere.
     */
    void drainAndCommit(Collection<TopicPartition> partitions) {
        waits.handOff(partitions);
        try {
            if (!offsets.awaitFinished(partitions, drainTimeout)) {
                log.warn("drain timeout {} passed with {} items unfinished on {}; they will run again elsewhere",
                        drainTimeout, offsets.unfinished(), partitions);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitSync(partitions);
    }

    /** Commits the partitions' committable offsets now, whether or not they moved; a failure is logged. */
    void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition partition : partitions) {
            offsets.committable(partition).ifPresent(offset -> commit.put(partition, offset));
        }
        if (commit.isEmpty()) {
            return;
        }
        try {
            commitSyncOnce(commit);
        } catch (RuntimeException e) {
            log.warn("final offset commit for {} failed ({}); those items will be delivered again",
                    partitions, e.toString());
        }
    }

    private void commitSyncOnce(Map<TopicPartition, OffsetAndMetadata> commit) {
        try {
            consumer.commitSync(commit);
        } catch (WakeupException pendingWakeup) {
            consumer.commitSync(commit); // stop() woke the consumer after the loop had already left poll()
        }
    }
}
