package dev.fanout.aggregator;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.ResultsApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The aggregator's settings. Immutable; each value is checked at construction with a message that names it. Absent
 * ({@code null}) values take the {@code DEFAULT_*} constants, except {@code stateDir}, where {@code null} means a
 * fresh temporary directory that the aggregator deletes when it closes.
 *
 * @param kafka               how to reach Kafka and name the topics
 * @param applicationId       the Kafka Streams application id: consumer group and prefix of the changelog topics
 * @param stateDir            Kafka Streams' state directory: the stores live in {@code <stateDir>/<applicationId>}; or
 *                            {@code null} for a temporary directory (the command line's default is persistent:
 *                            {@link #defaultStateDir})
 * @param punctuationInterval how often undecided batches are checked against their {@code totalTimeout} (and
 *                            expired items removed)
 * @param commitInterval      how often Streams commits (with exactly-once, how long a decision may stay invisible)
 * @param streamThreads       Kafka Streams threads in this instance
 * @param standbyReplicas     warm copies of each store on other instances, so one can take over at once
 * @param httpHost            the address the results API listens on and advertises to the other instances
 * @param httpPort            the results API's port: 0 for a free port, -1 for no results API
 * @param itemRetention       how long a decided batch's items stay in the item store
 * @param retentionChunk      the most items removed per punctuation (bounds the work of one punctuation)
 */
public record AggregatorConfig(
        KafkaSettings kafka,
        String applicationId,
        Path stateDir,
        Duration punctuationInterval,
        Duration commitInterval,
        int streamThreads,
        Integer standbyReplicas,
        String httpHost,
        Integer httpPort,
        Duration itemRetention,
        Integer retentionChunk) {

    private static final String SCOPE = "aggregator.";

    public static final String APPLICATION_ID = "applicationId";
    public static final String STATE_DIR = "stateDir";
    public static final String PUNCTUATION_INTERVAL = "punctuationInterval";
    public static final String COMMIT_INTERVAL = "commitInterval";
    public static final String STREAM_THREADS = "streamThreads";
    public static final String STANDBY_REPLICAS = "standbyReplicas";
    public static final String HTTP_HOST = "httpHost";
    public static final String HTTP_PORT = "httpPort";
    public static final String ITEM_RETENTION = "itemRetention";
    public static final String RETENTION_CHUNK = "retentionChunk";

    /** The application id is named after the topic prefix, so deployments with different prefixes never share one. */
    public static final String DEFAULT_APPLICATION_SUFFIX = "aggregator";
    public static final Duration DEFAULT_PUNCTUATION_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_STREAM_THREADS = 1;
    /** Kafka Streams' default; set 1 when running two or more instances (a single one has nowhere to put a copy). */
    public static final int DEFAULT_STANDBY_REPLICAS = 0;
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = ResultsApi.DEFAULT_PORT;
    /** {@link #httpPort} value that turns the results API off. */
    public static final int HTTP_DISABLED = -1;
    public static final Duration DEFAULT_ITEM_RETENTION = Duration.ofDays(7);
    public static final int DEFAULT_RETENTION_CHUNK = 10_000;
    /** The environment variable naming Fanout's home directory on this machine (persistent state lives under it). */
    public static final String FANOUT_HOME = "FANOUT_HOME";
    /** Where the command line keeps state without {@code FANOUT_HOME}, relative to the working directory. */
    public static final Path DEFAULT_LOCAL_STATE_DIR = Path.of(".fanout", "state");

    public AggregatorConfig {
        Objects.requireNonNull(kafka, "kafka");
        applicationId = applicationId == null ? defaultApplicationId(kafka) : applicationId;
        require(applicationId.matches("[A-Za-z0-9._-]+"), APPLICATION_ID,
                " may hold only letters, digits, '.', '_' and '-' and must not be empty, was '" + applicationId + "'");
        punctuationInterval = punctuationInterval == null ? DEFAULT_PUNCTUATION_INTERVAL : punctuationInterval;
        require(punctuationInterval.toMillis() >= 1,
                PUNCTUATION_INTERVAL, " must be at least 1ms, was " + punctuationInterval);
        commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
        require(!commitInterval.isNegative(), COMMIT_INTERVAL, " must be >= 0, was " + commitInterval);
        require(streamThreads >= 1, STREAM_THREADS, " must be >= 1, was " + streamThreads);
        standbyReplicas = standbyReplicas == null ? DEFAULT_STANDBY_REPLICAS : standbyReplicas;
        require(standbyReplicas >= 0, STANDBY_REPLICAS, " must be >= 0, was " + standbyReplicas);
        httpHost = httpHost == null ? DEFAULT_HTTP_HOST : httpHost;
        require(httpHost.matches("[A-Za-z0-9.:-]+"), HTTP_HOST, " must be a host name or IP address, was '"
                + httpHost + "'");
        httpPort = httpPort == null ? DEFAULT_HTTP_PORT : httpPort;
        require(httpPort >= HTTP_DISABLED && httpPort <= 65_535, HTTP_PORT,
                " must be a port (0 for a free one, -1 for no results API), was " + httpPort);
        itemRetention = itemRetention == null ? DEFAULT_ITEM_RETENTION : itemRetention;
        require(itemRetention.toMillis() >= 1, ITEM_RETENTION, " must be at least 1ms, was " + itemRetention);
        retentionChunk = retentionChunk == null ? DEFAULT_RETENTION_CHUNK : retentionChunk;
        require(retentionChunk >= 1, RETENTION_CHUNK, " must be >= 1, was " + retentionChunk);
    }

    /** The settings of earlier releases; the newer ones take their defaults. */
    public AggregatorConfig(KafkaSettings kafka, String applicationId, Path stateDir, Duration punctuationInterval,
            Duration commitInterval, int streamThreads) {
        this(kafka, applicationId, stateDir, punctuationInterval, commitInterval, streamThreads, null, null, null,
                null, null);
    }

    /** Defaults on the given Kafka settings, with a temporary state directory. */
    public static AggregatorConfig of(KafkaSettings kafka) {
        return new AggregatorConfig(kafka, defaultApplicationId(kafka), null, DEFAULT_PUNCTUATION_INTERVAL,
                DEFAULT_COMMIT_INTERVAL, DEFAULT_STREAM_THREADS);
    }

    /**
     * The persistent state directory of {@code fanout aggregator} without {@code --state-dir}:
     * {@code $FANOUT_HOME/state} when {@code FANOUT_HOME} is set (and not blank), else {@code .fanout/state} in the working directory. Kafka
     * Streams keeps the stores in its {@code <applicationId>} subdirectory, so a restart finds them there and does not
     * restore them from the changelogs.
     *
     * @param environment      the process environment ({@code System.getenv()})
     * @param workingDirectory the directory relative paths are resolved against
     */
    public static Path defaultStateDir(Map<String, String> environment, Path workingDirectory) {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        String home = environment.get(FANOUT_HOME);
        Path base = home == null || home.isBlank() ? workingDirectory.resolve(DEFAULT_LOCAL_STATE_DIR)
                : workingDirectory.resolve(home.strip()).resolve("state");
        return base.toAbsolutePath().normalize();
    }

    /** {@code <topicPrefix>aggregator}, e.g. {@code fanout.aggregator}. */
    public static String defaultApplicationId(KafkaSettings kafka) {
        return kafka.topicPrefix() + DEFAULT_APPLICATION_SUFFIX;
    }

    /** Whether the results API is served. */
    public boolean httpEnabled() {
        return httpPort != HTTP_DISABLED;
    }

    public AggregatorConfig withApplicationId(String id) {
        return new AggregatorConfig(kafka, id, stateDir, punctuationInterval, commitInterval, streamThreads,
                standbyReplicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    /** A persistent state directory, or {@code null} for a temporary one. */
    public AggregatorConfig withStateDir(Path dir) {
        return new AggregatorConfig(kafka, applicationId, dir, punctuationInterval, commitInterval, streamThreads,
                standbyReplicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    public AggregatorConfig withPunctuationInterval(Duration interval) {
        return new AggregatorConfig(kafka, applicationId, stateDir, interval, commitInterval, streamThreads,
                standbyReplicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    public AggregatorConfig withCommitInterval(Duration interval) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, interval, streamThreads,
                standbyReplicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    public AggregatorConfig withStreamThreads(int threads) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, commitInterval, threads,
                standbyReplicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    public AggregatorConfig withStandbyReplicas(int replicas) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, commitInterval,
                streamThreads, replicas, httpHost, httpPort, itemRetention, retentionChunk);
    }

    /** Where the results API listens: a host and a port (0 for a free one, {@link #HTTP_DISABLED} for none). */
    public AggregatorConfig withHttp(String host, int port) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, commitInterval,
                streamThreads, standbyReplicas, host, port, itemRetention, retentionChunk);
    }

    public AggregatorConfig withHttpPort(int port) {
        return withHttp(httpHost, port);
    }

    /** How long decided batches keep their items, and how many are removed per punctuation at most. */
    public AggregatorConfig withItemRetention(Duration retention, int chunk) {
        return new AggregatorConfig(kafka, applicationId, stateDir, punctuationInterval, commitInterval,
                streamThreads, standbyReplicas, httpHost, httpPort, retention, chunk);
    }

    /** The command-line flag of a property: {@code httpPort} is {@code --http-port}. */
    public static String flag(String property) {
        return "--" + property.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** An error about a property, named {@code aggregator.<property>}. */
    public static ConfigException invalid(String property, String rule) {
        return ConfigException.of(SCOPE, property, rule);
    }

    private static void require(boolean holds, String property, String rule) {
        if (!holds) {
            throw invalid(property, rule);
        }
    }
}
