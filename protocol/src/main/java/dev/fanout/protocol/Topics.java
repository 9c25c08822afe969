package dev.fanout.protocol;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;

/**
 * Every topic of the contract, named from one prefix (default {@value #DEFAULT_PREFIX}). This is the one place topic
 * names are made; nothing else spells them.
 *
 * <ul>
 *   <li>{@code <prefix>jobs.<lane>}: job records, keyed by ordering key, one topic per {@link Lane}</li>
 *   <li>{@code <prefix>results}: {@link ItemResult}s keyed by batch id</li>
 *   <li>{@code <prefix>batches}: {@link BatchDefinition}s keyed by batch id, as many partitions as results</li>
 *   <li>{@code <prefix>batch-results}: {@link BatchResult}s keyed by batch id</li>
 *   <li>{@code <prefix>dlq}: dead letters: the original key, value and headers plus context headers</li>
 *   <li>{@code <prefix>control}: {@link ControlSignal}s keyed by batch id, compacted</li>
 *   <li>{@code <prefix>retry.10s}, {@code retry.1m}, {@code retry.10m}: delay tiers for retries whose wait is too
 *       long to hold in a worker; every record of a tier waits the tier's delay, so a tier is read in due order</li>
 *   <li>{@code <prefix>parked}: items of paused batches, read again when their batch resumes</li>
 *   <li>{@code <prefix>workers}: the worker registry, {@link WorkerStatus}es keyed by worker id, compacted; each
 *       worker heartbeats into it and tombstones its entry on a clean stop</li>
 *   <li>{@code <prefix>dlq-replays}: the replay ledger of {@code fanout dlq replay}, keyed by the replayed dead
 *       letter's coordinates {@code <dlq topic>/<partition>/<offset>}, compacted; created by the replay tool, not
 *       listed in {@link #all()}</li>
 * </ul>
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "fanout.";
    public static final int DEFAULT_JOB_PARTITIONS = 8;
    public static final int DEFAULT_RESULT_PARTITIONS = 8;
    /** The delay tiers of the retry topics, shortest first. */
    public static final List<Duration> RETRY_TIERS = List.of(Duration.ofSeconds(10),
            Duration.ofMinutes(1), Duration.ofMinutes(10));

    private final String prefix;
    private final Map<Lane, TopicDescriptor<JobRecord>> jobs = new EnumMap<>(Lane.class);
    private final TopicDescriptor<ItemResult> results;
    private final TopicDescriptor<BatchDefinition> batches;
    private final TopicDescriptor<BatchResult> batchResults;
    private final TopicDescriptor<byte[]> deadLetters;
    private final TopicDescriptor<ControlSignal> control;
    private final TopicDescriptor<byte[]> deadLetterReplays;
    private final Map<Duration, TopicDescriptor<JobRecord>> retryTiers = new LinkedHashMap<>();
    private final TopicDescriptor<JobRecord> parked;
    private final TopicDescriptor<WorkerStatus> workers;

    /**
     * @param prefix            prepended to every name; letters, digits, '.', '_' and '-' only
     * @param jobPartitions     partitions of each jobs lane: bounds the workers that can be busy in ordered modes
     * @param resultPartitions  partitions of results and batches (always equal: one aggregator task sees a whole
     *                          batch), and of batch results and dead letters
     */
    public Topics(String prefix, int jobPartitions, int resultPartitions) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "topicPrefix may hold only letters, digits, '.', '_' and '-', was '" + prefix + "'");
        }
        if (jobPartitions < 1) {
            throw new IllegalArgumentException("jobPartitions must be >= 1, was " + jobPartitions);
        }
        if (resultPartitions < 1) {
            throw new IllegalArgumentException("resultPartitions must be >= 1, was " + resultPartitions);
        }
        this.prefix = prefix;
        for (Lane lane : Lane.values()) {
            jobs.put(lane, new TopicDescriptor<>(prefix + "jobs." + lane.id(), JobRecord.class, jobPartitions, Map.of()));
        }
        results = new TopicDescriptor<>(prefix + "results", ItemResult.class, resultPartitions, Map.of());
        batches = new TopicDescriptor<>(prefix + "batches", BatchDefinition.class, resultPartitions, Map.of());
        batchResults = new TopicDescriptor<>(prefix + "batch-results", BatchResult.class, resultPartitions, Map.of());
        deadLetters = new TopicDescriptor<>(prefix + "dlq", byte[].class, resultPartitions, Map.of());
        control = new TopicDescriptor<>(prefix + "control", ControlSignal.class, 1,
                Map.of("cleanup.policy", "compact"));
        deadLetterReplays = new TopicDescriptor<>(prefix + "dlq-replays", byte[].class, 1,
                Map.of("cleanup.policy", "compact"));
        for (Duration tier : RETRY_TIERS) {
            retryTiers.put(tier, new TopicDescriptor<>(prefix + "retry." + tierName(tier), JobRecord.class,
                    jobPartitions, Map.of()));
        }
        // kept until read: a batch may stay paused longer than any default retention
        parked = new TopicDescriptor<>(prefix + "parked", JobRecord.class, jobPartitions, Map.of("retention.ms", "-1"));
        // heartbeats every few seconds: small segments so compaction keeps it short, and an entry of a worker that
        // died without its tombstone is deleted after a day
        workers = new TopicDescriptor<>(prefix + "workers", WorkerStatus.class, 1, Map.of(
                "cleanup.policy", "compact,delete", "retention.ms", Long.toString(Duration.ofDays(1).toMillis()),
                "segment.ms", Long.toString(Duration.ofMinutes(10).toMillis()),
                "min.cleanable.dirty.ratio", "0.1"));
    }

    private static String tierName(Duration tier) {
        return tier.toSeconds() % 60 == 0 ? tier.toMinutes() + "m" : tier.toSeconds() + "s";
    }

    public static Topics ofDefaults() {
        return new Topics(DEFAULT_PREFIX, DEFAULT_JOB_PARTITIONS, DEFAULT_RESULT_PARTITIONS);
    }

    public String prefix() {
        return prefix;
    }

    public TopicDescriptor<JobRecord> jobs(Lane lane) {
        return jobs.get(lane);
    }

    public TopicDescriptor<ItemResult> results() {
        return results;
    }

    public TopicDescriptor<BatchDefinition> batches() {
        return batches;
    }

    public TopicDescriptor<BatchResult> batchResults() {
        return batchResults;
    }

    public TopicDescriptor<byte[]> deadLetters() {
        return deadLetters;
    }

    public TopicDescriptor<ControlSignal> control() {
        return control;
    }

    /**
     * The replay ledger: one record per replayed dead letter, keyed by its coordinates
     * ({@code <dlq topic>/<partition>/<offset>}), compacted. Only the replay tool creates and reads it.
     */
    public TopicDescriptor<byte[]> deadLetterReplays() {
        return deadLetterReplays;
    }

    /** The retry topics by delay tier, shortest first: each holds jobs waiting that long for their next attempt. */
    public Map<Duration, TopicDescriptor<JobRecord>> retryTiers() {
        return Collections.unmodifiableMap(retryTiers);
    }

    /** Items of paused batches, waiting to be read again when their batch resumes or is cancelled. */
    public TopicDescriptor<JobRecord> parked() {
        return parked;
    }

    /** The worker registry: the latest {@link WorkerStatus} of each worker, keyed by worker id. */
    public TopicDescriptor<WorkerStatus> workers() {
        return workers;
    }

    /** Every topic, in creation order. */
    public List<TopicDescriptor<?>> all() {
        List<TopicDescriptor<?>> all = new ArrayList<>(jobs.values());
        all.addAll(List.of(results, batches, batchResults, deadLetters, control));
        all.addAll(retryTiers.values());
        all.add(parked);
        all.add(workers);
        return List.copyOf(all);
    }
}
