package dev.fanout.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of an {@link EmbeddedKafkaBroker}: a single-node KRaft Kafka (combined broker and controller) bound to
 * 127.0.0.1.
 *
 * @param port          client port; 0 picks a free one
 * @param dataDir       where the log and metadata live; {@code null} means a fresh temporary directory that is
 *                      deleted on shutdown
 * @param maxHeap       the broker JVM's maximum heap, as for {@code -Xmx} (e.g. {@code 512m})
 * @param startTimeout  how long to wait for the broker to answer before giving up
 * @param security      a {@code SASL_SSL} listener with this SCRAM user; {@code null} for {@code PLAINTEXT}
 * @param nodes         how many nodes (each a combined broker and controller, in its own JVM): 1, or up to
 *                      {@value #MAX_NODES} for a cluster whose topics are replicated {@code min(3, nodes)} times
 */
public record BrokerConfig(int port, Path dataDir, String maxHeap, Duration startTimeout, BrokerSecurity security,
        int nodes) {

    public static final int DEFAULT_PORT = 0;
    public static final String DEFAULT_MAX_HEAP = "512m";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    public static final int MAX_NODES = 5;

    public BrokerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("broker.port must be between 0 and 65535 (0 picks a free port), was " + port);
        }
        Objects.requireNonNull(maxHeap, "maxHeap");
        if (!maxHeap.matches("\\d+[kmgKMG]?")) {
            throw new IllegalArgumentException("broker.maxHeap must look like 512m or 1g, was '" + maxHeap + "'");
        }
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("broker.startTimeout must be positive, was " + startTimeout);
        }
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("broker.nodes must be from 1 to " + MAX_NODES + " (3 for a replicated"
                    + " cluster), was " + nodes);
        }
    }

    /** A plain-text broker. */
    public BrokerConfig(int port, Path dataDir, String maxHeap, Duration startTimeout) {
        this(port, dataDir, maxHeap, startTimeout, null, 1);
    }

    /** A free port, a temporary data directory, a 512 MB heap, plain text. */
    public static BrokerConfig ofDefaults() {
        return new BrokerConfig(DEFAULT_PORT, null, DEFAULT_MAX_HEAP, DEFAULT_START_TIMEOUT, null, 1);
    }

    public BrokerConfig withPort(int newPort) {
        return new BrokerConfig(newPort, dataDir, maxHeap, startTimeout, security, nodes);
    }

    public BrokerConfig withDataDir(Path newDataDir) {
        return new BrokerConfig(port, newDataDir, maxHeap, startTimeout, security, nodes);
    }

    public BrokerConfig withMaxHeap(String newMaxHeap) {
        return new BrokerConfig(port, dataDir, newMaxHeap, startTimeout, security, nodes);
    }

    /** This broker with a {@code SASL_SSL} listener for the given user ({@code null}: plain text). */
    public BrokerConfig withSecurity(BrokerSecurity newSecurity) {
        return new BrokerConfig(port, dataDir, maxHeap, startTimeout, newSecurity, nodes);
    }

    /** This broker as {@code count} nodes on 127.0.0.1 (port, when not 0, is the first node's). */
    public BrokerConfig withNodes(int count) {
        return new BrokerConfig(port, dataDir, maxHeap, startTimeout, security, count);
    }

    /** The persistent data directory, if one was given. */
    public Optional<Path> persistentDataDir() {
        return Optional.ofNullable(dataDir);
    }
}
