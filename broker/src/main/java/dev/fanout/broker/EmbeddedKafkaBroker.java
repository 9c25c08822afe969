package dev.fanout.broker;

import dev.fanout.broker.internal.BrokerMain;
import dev.fanout.broker.internal.BrokerFiles;
import dev.fanout.broker.internal.BrokerNode;
import java.util.stream.Collectors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller), run from the {@code kafka_2.13}
 * artifact in a child JVM on free 127.0.0.1 ports; or a cluster of such nodes ({@link BrokerConfig#nodes()}), each in
 * its own JVM, which can be stopped, killed and restarted one at a time.
 *
 * <p>The child formats its storage, starts {@code KafkaRaftServer} and watches its standard input: when this JVM
 * closes the broker, exits, or is killed, the pipe closes and the child shuts down; a lone temporary broker also
 * removes its files. The nodes of a cluster keep theirs, so they can be restarted: {@link #close()} removes a
 * temporary cluster's directory (a killed owner leaves it in the temporary directory). So a broker never outlives
 * the process that started it, and owners close it in their own order (after the clients that use it) rather than
 * from a shutdown hook of its own.
 *
 * <pre>{@code
 * try (var broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults())) {
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private final List<BrokerNode> nodes;
    private final String bootstrapServers;
    private final Duration startTimeout;
    private boolean closed;

    private EmbeddedKafkaBroker(List<BrokerNode> nodes, Duration startTimeout) {
        this.nodes = nodes;
        this.startTimeout = startTimeout;
        this.bootstrapServers = nodes.stream().map(node -> "127.0.0.1:" + node.files().clientPort())
                .collect(Collectors.joining(","));
    }

    /**
     * Starts a broker (every node of it) and returns once it answers a metadata request with all its nodes.
     *
     * @throws BrokerStartException if it did not come up within {@link BrokerConfig#startTimeout()}
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        Objects.requireNonNull(config, "config");
        List<BrokerFiles> files = BrokerFiles.prepare(config);
        boolean lone = files.size() == 1;
        List<BrokerNode> nodes = files.stream().map(node -> new BrokerNode(node, config.maxHeap(), lone)).toList();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(nodes, config.startTimeout());
        try {
            nodes.forEach(BrokerNode::launch);
            broker.awaitReady(config.startTimeout());
        } catch (RuntimeException e) {
            broker.abort();
            throw e;
        }
        log.info("Kafka {} broker (KRaft, {} node{}) ready at {} (pid {}, data {})", kafkaVersion(), nodes.size(),
                lone ? "" : "s", broker.bootstrapServers, broker.pids(), files.get(0).root());
        return broker;
    }

    /** The Kafka version on the classpath: clients and broker are kept at the same version. */
    public static String kafkaVersion() {
        return BrokerMain.kafkaVersion();
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The client settings a secured broker wants ({@code security.protocol}, SASL and trust), empty for a
     * plain-text one. They are also in {@link #clientConfig()}.
     */
    public Map<String, String> clientProperties() {
        Map<String, String> properties = new HashMap<>();
        nodes.get(0).files().clientConfig().ifPresent(file -> {
            Properties loaded = new Properties();
            try (var reader = Files.newBufferedReader(file)) {
                loaded.load(reader);
            } catch (IOException e) {
                throw new BrokerStartException("cannot read " + file + ": " + e.getMessage(), e);
            }
            loaded.stringPropertyNames().forEach(name -> properties.put(name, loaded.getProperty(name)));
        });
        return properties;
    }

    /** The client settings file of a secured broker, for {@code --command-config}; empty for a plain-text one. */
    public Optional<Path> clientConfig() {
        return nodes.get(0).files().clientConfig();
    }

    /** The (first) node's process id, for tools that must tell a broker apart from other JVMs. */
    public long pid() {
        return nodes.get(0).process().pid();
    }

    /** Every node's process id, by node id (1, 2, ...); a stopped node's last one. */
    public List<Long> pids() {
        return nodes.stream().map(node -> node.process().pid()).toList();
    }

    /** How many nodes it has. */
    public int nodeCount() {
        return nodes.size();
    }

    /** Where the broker keeps its files (deleted on close unless it was given in {@link BrokerConfig#dataDir()}). */
    public Path dataDirectory() {
        return nodes.get(0).files().root();
    }

    /** Whether every node's JVM runs. */
    public boolean isRunning() {
        return nodes.stream().allMatch(BrokerNode::isAlive);
    }

    /** Whether node {@code id} (from 1) runs. */
    public boolean isRunning(int id) {
        return node(id).isAlive();
    }

    /** Blocks until the first node's process exits (for the {@code fanout broker} command of one node). */
    public int awaitExit() throws InterruptedException {
        return nodes.get(0).process().waitFor();
    }

    /**
     * Blocks until a node's process exits, and says which.
     *
     * @return the node id (from 1)
     */
    public int awaitNodeExit() throws InterruptedException {
        CompletableFuture<?>[] exits = nodes.stream().map(node -> node.process().onExit())
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(exits).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a broker node failed", e.getCause());
        }
        for (BrokerNode node : nodes) {
            if (!node.isAlive()) {
                return node.files().nodeId();
            }
        }
        throw new IllegalStateException("a node exited but every node runs");
    }

    /** Stops node {@code id} cleanly (its shutdown, as on SIGTERM), keeping its data for a restart. */
    public void stopNode(int id) {
        node(id).terminate();
    }

    /** Kills node {@code id} (SIGKILL), keeping its data for a restart. */
    public void killNode(int id) {
        node(id).kill();
    }

    /** Starts node {@code id} again on its data and ports, and waits until the cluster has all its nodes. */
    public void restartNode(int id) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the broker is closed; node " + id + " stays stopped");
            }
            node(id).launch();
        }
        awaitReady(startTimeout);
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    private BrokerNode node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("node must be from 1 to " + nodes.size() + ", was " + id);
        }
        return nodes.get(id - 1);
    }

    /** Stops every node gracefully (forcibly after 30 s) and removes its temporary files. Idempotent. */
    @Override
    public void close() {
        stop();
    }

    /** A broker that never became ready has nothing to flush: kill it at once. */
    private void abort() {
        nodes.forEach(BrokerNode::kill);
        close();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = nodes.size() - 1; i >= 0; i--) { // the first node last: it held the lone broker's files
            nodes.get(i).stop();
        }
        nodes.get(0).files().deleteIfTemporary();
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        awaitPortOpen(deadline, timeout);
        Map<String, Object> adminConfig = new HashMap<>(clientProperties());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                checkAlive();
                try {
                    String answeringCluster = admin.describeCluster().clusterId().get(3, TimeUnit.SECONDS);
                    if (nodes.get(0).files().clusterId().equals(answeringCluster)) {
                        if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == nodes.size()) {
                            return;
                        }
                        checkDeadline(deadline, timeout);
                        continue;
                    }
                    throw new BrokerStartException("another Kafka (cluster " + answeringCluster + ") answers at "
                            + bootstrapServers + "; choose a free port or 0. Last lines of this broker's log:\n"
                            + logTail());
                } catch (ExecutionException | TimeoutException notYet) {
                    checkDeadline(deadline, timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while waiting for the broker", e);
        }
    }

    /** Waits for the listener to accept connections, so the admin client does not log refused connections. */
    private void awaitPortOpen(Instant deadline, Duration timeout) {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                nodes.get(0).files().clientPort());
        while (true) {
            checkAlive();
            try (Socket socket = new Socket()) {
                socket.connect(address, 200);
                return;
            } catch (IOException notListeningYet) {
                checkDeadline(deadline, timeout);
                try {
                    nodes.get(0).process().waitFor(100, TimeUnit.MILLISECONDS); // returns early if it dies
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerStartException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    private void checkAlive() {
        for (BrokerNode node : nodes) {
            if (!node.isAlive()) {
                throw new BrokerStartException("broker node " + node.files().nodeId() + " exited with code "
                        + node.process().exitValue() + " before it was ready. Last lines of its log:\n"
                        + node.files().logTail(40));
            }
        }
    }

    private String logTail() {
        return nodes.get(0).files().logTail(40);
    }

    private void checkDeadline(Instant deadline, Duration timeout) {
        if (Instant.now().isAfter(deadline)) {
            throw new BrokerStartException("the broker did not answer at " + bootstrapServers + " with its "
                    + nodes.size() + " node(s) within " + timeout + ". Last lines of its log:\n" + logTail());
        }
    }
}
