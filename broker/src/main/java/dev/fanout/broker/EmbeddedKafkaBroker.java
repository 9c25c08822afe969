package dev.fanout.broker;

import dev.fanout.broker.internal.BrokerMain;
import dev.fanout.broker.internal.BrokerFiles;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (combined broker and controller), run from the
 * {@code kafka_2.13} artifact in a child JVM on free 127.0.0.1 ports.
 *
 * <p>The child formats its storage, starts {@code KafkaRaftServer} and watches its standard input: when this JVM
 * closes the broker, exits, or is killed, the pipe closes and the child shuts down and removes its temporary files.
 * So a broker never outlives the process that started it, and owners close it in their own order (after the
 * clients that use it) rather than from a shutdown hook of its own.
 *
 * <pre>{@code
 * try (var broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults())) {
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final BrokerFiles files;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafkaBroker(Process process, BrokerFiles files, String bootstrapServers) {
        this.process = process;
        this.files = files;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts a broker and returns once it answers a metadata request.
     *
     * @throws BrokerStartException if it did not come up within {@link BrokerConfig#startTimeout()}
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        Objects.requireNonNull(config, "config");
        BrokerFiles files = BrokerFiles.prepare(config);
        Process process;
        try {
            process = new ProcessBuilder(childCommand(config, files))
                    .redirectErrorStream(true)
                    .redirectOutput(files.logFile().toFile())
                    .start();
        } catch (IOException e) {
            files.deleteIfTemporary();
            throw new BrokerStartException("could not launch the broker JVM (" + javaExecutable() + "): " + e.getMessage(), e);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(process, files, "127.0.0.1:" + files.clientPort());
        try {
            broker.awaitReady(config.startTimeout());
        } catch (RuntimeException e) {
            broker.abort();
            throw e;
        }
        log.info("Kafka {} broker (KRaft) ready at {} (pid {}, data {})",
                kafkaVersion(), broker.bootstrapServers, process.pid(), files.dir());
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
        files.clientConfig().ifPresent(file -> {
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
        return files.clientConfig();
    }

    /** The child process id, for tools that must tell a broker apart from other JVMs. */
    public long pid() {
        return process.pid();
    }

    /** Where the broker keeps its files (deleted on close unless it was given in {@link BrokerConfig#dataDir()}). */
    public Path dataDirectory() {
        return files.dir();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Blocks until the broker process exits (for the {@code fanout broker} command). */
    public int awaitExit() throws InterruptedException {
        return process.waitFor();
    }

    /** Stops the broker gracefully (forcibly after 30 s) and removes its temporary files. Idempotent. */
    @Override
    public void close() {
        stop();
    }

    /** A broker that never became ready has nothing to flush: kill it at once. */
    private void abort() {
        process.destroyForcibly();
        close();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.close();
        } catch (IOException e) {
            log.debug("closing the broker's stdin failed", e);
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("broker pid {} did not stop within {}; killing it", process.pid(), STOP_TIMEOUT);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        files.deleteIfTemporary();
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
                    if (files.clusterId().equals(answeringCluster)) {
                        return;
                    }
                    throw new BrokerStartException("another Kafka (cluster " + answeringCluster + ") answers at "
                            + bootstrapServers + "; choose a free port or 0. Last lines of this broker's log:\n"
                            + files.logTail(40));
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
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), files.clientPort());
        while (true) {
            checkAlive();
            try (Socket socket = new Socket()) {
                socket.connect(address, 200);
                return;
            } catch (IOException notListeningYet) {
                checkDeadline(deadline, timeout);
                try {
                    process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if the broker dies
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerStartException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new BrokerStartException("the broker exited with code " + process.exitValue()
                    + " before it was ready. Last lines of its log:\n" + files.logTail(40));
        }
    }

    private void checkDeadline(Instant deadline, Duration timeout) {
        if (Instant.now().isAfter(deadline)) {
            throw new BrokerStartException("the broker did not answer at " + bootstrapServers + " within "
                    + timeout + ". Last lines of its log:\n" + files.logTail(40));
        }
    }

    private static List<String> childCommand(BrokerConfig config, BrokerFiles files) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx" + config.maxHeap());
        command.add("-Djava.awt.headless=true");
        command.add("-Dlogback.configurationFile=" + files.logbackConfig());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerMain.class.getName());
        command.add(files.serverProperties().toString());
        command.add(files.clusterId());
        command.add(Boolean.toString(files.isTemporary()));
        files.scramUsers().ifPresent(users -> command.add(users.toString()));
        return command;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
