package dev.fanout.aggregator;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The aggregator's settings. Immutable; each value is checked at construction with a message that names it. Absent
 * ({@code null}) values take the {@code DEFAULT_*} constants, except {@code stateDir}, where {@code null} means a
 * fresh temporary directory that the aggregator deletes when it closes.
 *
 * @param kafka               how to reach Kafka and name the topics
 * @param applicationId       the Kafka Streams application id: consumer group and prefix of the changelog topics
 * @param stateDir            where the state stores live, or {@code null} for a temporary directory
 * @param punctuationInterval how often undecided batches are checked against their {@code totalTimeout}
 * @param commitInterval      how often Streams commits (with exactly-once, how long a decision may stay invisible)
 * @param streamThreads       Kafka Streams threads in this instance
 */
public record AggregatorConfig(
        KafkaSettings kafka,
        String applicationId,
        Path stateDir,
        Duration punctuationInterval,
        Duration commitInterval,
        int streamThreads) {

    public static final String APPLICATION_ID = "applicationId";
    public static final String STATE_DIR = "stateDir";
    public static final String PUNCTUATION_INTERVAL = "punctuationInterval";
    public static final String COMMIT_INTERVAL = "commitInterval";
    public static final String STREAM_THREADS = "streamThreads";

    /** The application id is named after the topic prefix, so deployments with different prefixes never share one. */
    public static final String DEFAULT_APPLICATION_SUFFIX = "aggregator";
    public static final Duration DEFAULT_PUNCTUATION_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_STREAM_THREADS = 1;

    public AggregatorConfig {
        Objects.requireNonNull(kafka, "kafka");
        applicationId = applicationId == null ? defaultApplicationId(kafka) : applicationId;
        require(applicationId.matches("[A-Za-z0-9._-]+"), APPLICATION_ID
                + " may hold only letters, digits, '.', '_' and '-' and must not be empty, was '" + applicationId + "'");
        punctuationInterval = punctuationInterval == null ? DEFAULT_PUNCTUATION_INTERVAL : punctuationInterval;
        require(punctuationInterval.toMillis() >= 1,
                PUNCTUATION_INTERVAL + " must be at least 1ms, was " + punctuationInterval);
        commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
        require(!commitInterval.isNegative(), COMMIT_INTERVAL + " must be >= 0, was " + commitInterval);
        require(streamThreads >= 1, STREAM_THREADS + " must be >= 1, was " + streamThreads);
    }

    /** Defaults on the given Kafka settings, with a temporary state directory. */
    public static AggregatorConfig of(KafkaSettings kafka) {
        return new AggregatorConfig(kafka, defaultApplicationId(kafka), null, DEFAULT_PUNCTUATION_INTERVAL,
                DEFAULT_COMMIT_INTERVAL, DEFAULT_STREAM_THREADS);
    }

    /** {@code <topicPrefix>aggregator}, e.g. {@code fanout.aggregator}. */
    public static String defaultApplicationId(KafkaSettings kafka) {
        return kafka.topicPrefix() + DEFAULT_APPLICATION_SUFFIX;
    }

    public AggregatorConfig withApplicationId(String id) {
        return new AggregatorConfig(kafka, id, stateDir, punctuationInterval, commitInterval, streamThreads);
    }

    /** A persistent state directory, or {@code null} for a temporary one. */
    public AggregatorConfig withStateDir(Path dir) {
        return new AggregatorConfig(kafka, applicationId, dir, punctuationInterval, commitInterval, streamThreads);
    }

    public AggregatorConfig withPunctuationInterval(Duration interval) {
        return new AggregatorConfig(kafka, applicationId, stateDir, interval, commitInterval, streamThreads);
    }

    public AggregatorConfig withCommitInterval(Duration interval) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, interval, streamThreads);
    }

    public AggregatorConfig withStreamThreads(int threads) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, commitInterval, threads);
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new ConfigException("aggregator." + message);
        }
    }
}
