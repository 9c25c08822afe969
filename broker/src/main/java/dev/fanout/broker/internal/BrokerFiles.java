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

    private final Path dir;
    private final boolean temporary;
    private final int clientPort;
    private final String clusterId;

    private BrokerFiles(Path dir, boolean temporary, int clientPort, String clusterId) {
        this.dir = dir;
        this.temporary = temporary;
        this.clientPort = clientPort;
        this.clusterId = clusterId;
    }

    /** Creates the directory (a temporary one unless the config names one) and writes the broker's files. */
    public static BrokerFiles prepare(BrokerConfig config) {
        try {
            boolean temporary = config.persistentDataDir().isEmpty();
            Path dir = temporary
                    ? Files.createTempDirectory("fanout-broker-")
                    : Files.createDirectories(config.dataDir().toAbsolutePath());
            int clientPort = config.port() == 0 ? freePort() : config.port();
            int controllerPort = freePort();
            BrokerFiles files = new BrokerFiles(dir, temporary, clientPort, clusterId(dir.resolve("data")));
            String properties = serverProperties(dir.resolve("data"), clientPort, controllerPort);
            if (config.security() != null) {
                properties = SecuredListener.write(dir, config.security(), properties);
            }
            Files.writeString(files.serverProperties(), properties);
            Files.writeString(files.logbackConfig(), LOGBACK_XML);
            return files;
        } catch (IOException e) {
            throw new BrokerStartException("could not prepare the broker's directory: " + e.getMessage(), e);
        }
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
        Path file = SecuredListener.clientConfig(dir);
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

    public void deleteIfTemporary() {
        if (temporary) {
            deleteTree(dir);
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

    static String serverProperties(Path logDir, int clientPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                // dynamic quorum (formatted with --standalone): never combined with controller.quorum.voters
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + logDir,
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=8",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.heartbeat.interval.ms=1000",
                "group.consumer.min.heartbeat.interval.ms=500",
                "group.consumer.session.timeout.ms=10000",
                "group.consumer.min.session.timeout.ms=6000",
                "log.segment.bytes=67108864",
                "log.retention.check.interval.ms=60000",
                "") ;
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
