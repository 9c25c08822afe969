package dev.fanout.broker.internal;

import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.BrokerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * The on-disk layout of one embedded broker: {@code server.properties}, a logback file for the child JVM, the log
 * directory and the broker's console log. Internal to the broker module.
 */
public final class BrokerFiles {

    private final Path root;
    private final Path dir;
    private final boolean temporary;
    private final int nodeId;
    private final int clientPort;
    private final String clusterId;

    private BrokerFiles(Path root, Path dir, boolean temporary, int nodeId, int clientPort, String clusterId) {
        this.root = root;
        this.dir = dir;
        this.temporary = temporary;
        this.nodeId = nodeId;
        this.clientPort = clientPort;
        this.clusterId = clusterId;
    }

    /**
     * Creates the directory (a temporary one unless the config names one) and writes each node's files: one node in
     * it, or {@code node-1 .. node-N} beside each other, with one cluster id, a static quorum of all nodes as
     * controllers, and replication of {@code min(3, N)} with {@code min.insync.replicas} one less.
     */
    public static List<BrokerFiles> prepare(BrokerConfig config) {
        try {
            boolean temporary = config.persistentDataDir().isEmpty();
            Path root = temporary
                    ? Files.createTempDirectory("fanout-broker-")
                    : Files.createDirectories(config.dataDir().toAbsolutePath());
            int nodes = config.nodes();
            int[] clientPorts = new int[nodes];
            int[] controllerPorts = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                clientPorts[i] = i == 0 && config.port() != 0 ? config.port() : freePort();
                controllerPorts[i] = freePort();
            }
            String voters = nodes == 1 ? null : java.util.stream.IntStream.range(0, nodes)
                    .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                    .collect(java.util.stream.Collectors.joining(","));
            Path first = nodes == 1 ? root : root.resolve("node-1");
            String clusterId = clusterId(first.resolve("data"));
            TlsMaterial tls = config.security() == null ? null : TlsMaterial.create(root, "broker");
            List<BrokerFiles> all = new java.util.ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Path dir = nodes == 1 ? root : Files.createDirectories(root.resolve("node-" + (i + 1)));
                BrokerFiles files = new BrokerFiles(root, dir, temporary, i + 1, clientPorts[i], clusterId);
                String properties = serverProperties(dir.resolve("data"), i + 1, clientPorts[i], controllerPorts[i],
                        voters, nodes);
                if (tls != null) {
                    properties = SecuredListener.write(root, dir, config.security(), tls, properties);
                }
                Files.writeString(files.serverProperties(), properties);
                Files.writeString(files.logbackConfig(), LOGBACK_XML);
                all.add(files);
            }
            return List.copyOf(all);
        } catch (IOException e) {
            throw new BrokerStartException("could not prepare the broker's directory: " + e.getMessage(), e);
        }
    }

    /** The directory of the whole broker (every node's, for a cluster). */
    public Path root() {
        return root;
    }

    /** This node's id ({@code node.id}), from 1. */
    public int nodeId() {
        return nodeId;
    }

    public Path dir() {
        return dir;
    }

    public boolean isTemporary() {
        return temporary;
    }

    public int clientPort() {
        return clientPort;
    }

    /** The cluster id the storage is (or will be) formatted with; tells this broker apart from another one. */
    public String clusterId() {
        return clusterId;
    }

    public Path serverProperties() {
        return dir.resolve("server.properties");
    }

    public Path logbackConfig() {
        return dir.resolve("logback.xml");
    }

    /** The client settings of a secured broker ({@code --command-config}); absent for a plain-text one. */
    public Optional<Path> clientConfig() {
        Path file = SecuredListener.clientConfig(root);
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    /** The SCRAM users to create when formatting, as {@code kafka-storage format --add-scram} takes them. */
    public Optional<Path> scramUsers() {
        Path file = SecuredListener.scramUsers(dir);
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /** The last {@code lines} lines of the broker's console log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no broker log: " + e.getMessage() + ")";
        }
    }

    /** Removes the whole broker's directory if it was a temporary one. */
    public void deleteIfTemporary() {
        if (temporary) {
            deleteTree(root);
        }
    }

    /** Deletes a directory tree; best effort, files already gone are fine. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("fanout: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static String clusterId(Path logDir) throws IOException {
        Path meta = logDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            return properties.getProperty("cluster.id");
        }
        return Uuid.randomUuid().toString();
    }

    /** @param voters the static quorum ({@code 1@host:port,...}), or {@code null} for one node (dynamic, standalone) */
    static String serverProperties(Path logDir, int nodeId, int clientPort, int controllerPort, String voters,
            int nodes) {
        int replicas = Math.min(3, nodes);
        int minIsr = Math.max(1, replicas - 1);
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                // one node: a dynamic quorum (formatted with --standalone); several: a static quorum of all of them.
                // The two are never combined.
                voters == null ? "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort
                        : "controller.quorum.voters=" + voters,
                "log.dirs=" + logDir,
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + minIsr,
                "offsets.topic.replication.factor=" + replicas,
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minIsr,
                "transaction.state.log.num.partitions=8",
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minIsr,
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.heartbeat.interval.ms=1000",
                "group.consumer.min.heartbeat.interval.ms=500",
                "group.consumer.session.timeout.ms=10000",
                "group.consumer.min.session.timeout.ms=6000",
                // share groups (KIP-932; share.version 1 is on by default in 4.3): heartbeats and sessions like the
                // consumer group's, and a floor of 1 s for a group's share.record.lock.duration.ms (Kafka's is 15 s),
                // so a test can make the records of a killed worker come back within seconds
                "group.share.heartbeat.interval.ms=1000",
                "group.share.min.heartbeat.interval.ms=500",
                "group.share.session.timeout.ms=10000",
                "group.share.min.session.timeout.ms=6000",
                "group.share.min.record.lock.duration.ms=1000",
                "log.segment.bytes=67108864",
                "log.retention.check.interval.ms=60000",
                // a cluster notices a dead node in 3 s rather than 9, and moves its leaderships
                nodes > 1 ? "broker.heartbeat.interval.ms=500" : "",
                nodes > 1 ? "broker.session.timeout.ms=3000" : "",
                "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static final String LOGBACK_XML = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <root level="WARN"><appender-ref ref="OUT"/></root>
              <logger name="dev.fanout" level="INFO"/>
            </configuration>
            """;
}
