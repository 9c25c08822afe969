package dev.fanout.broker.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;

/**
 * Entry point of the broker's child JVM: formats the storage (KRaft, standalone dynamic quorum), runs
 * {@link KafkaRaftServer}, and shuts it down when standard input closes, that is when the parent process is gone.
 *
 * <p>Arguments: {@code <server.properties> <clusterId> <true|false|when-orphaned> [scramUsersFile]}: whether the
 * node's directory is removed when it stops (always, never, or only when its parent is gone), and the SCRAM users to
 * create when the storage is formatted.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: BrokerMain <server.properties> <clusterId> <true|false|" + WHEN_ORPHANED
                    + "> [scramUsersFile]");
            System.exit(2);
        }
        Path propertiesFile = Path.of(args[0]);
        String clusterId = args[1];
        // true: remove the node's directory whenever it stops (a lone temporary broker); when-orphaned: only when its
        // parent is gone or closed it (a node of a temporary cluster, which a SIGTERM bounce must not wipe)
        boolean deleteOnExit = Boolean.parseBoolean(args[2]);
        boolean deleteWhenOrphaned = WHEN_ORPHANED.equals(args[2]);
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        List<String> scram = args.length == 4 ? Files.readAllLines(Path.of(args[3]), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList() : List.of();
        format(propertiesFile, clusterId, Path.of(properties.getProperty("log.dirs")), scram,
                properties.containsKey("controller.quorum.voters"));

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
        AtomicBoolean orphaned = new AtomicBoolean();
        Thread watchdog = Thread.ofPlatform().daemon().name("parent-watchdog").unstarted(() -> {
            waitForEndOfInput(System.in);
            orphaned.set(true);
            System.exit(0); // runs the shutdown hook below
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(server, orphaned.get());
            Path dir = propertiesFile.getParent();
            if (deleteOnExit || deleteWhenOrphaned && orphaned.get()) {
                BrokerFiles.deleteTree(dir);
            }
            if (deleteWhenOrphaned && orphaned.get()) {
                deleteClusterIfLast(dir.getParent());
            }
        }, "broker-shutdown"));
        server.startup();
        watchdog.start();
        System.out.println("fanout broker: Kafka " + kafkaVersion() + " started");
        server.awaitShutdown();
    }

    /**
     * How long an orphaned node waits for its own shutdown. A broker's controlled shutdown waits for the controller
     * quorum to approve it, for up to five minutes; when the parent died, every node of a cluster stops at once and the
     * quorum that would approve is gone, so the node gives up after this and exits (log recovery on a next start of a
     * persistent cluster covers the unclean stop).
     */
    static final Duration ORPHAN_SHUTDOWN = Duration.ofSeconds(15);

    private static void stop(KafkaRaftServer server, boolean orphaned) {
        Thread stopping = Thread.ofPlatform().daemon().name("broker-stop").start(() -> {
            server.shutdown();
            server.awaitShutdown();
        });
        try {
            if (orphaned) {
                if (!stopping.join(ORPHAN_SHUTDOWN)) {
                    System.err.println("fanout broker: the parent is gone and the node did not stop within "
                            + ORPHAN_SHUTDOWN.toSeconds() + " s (no controller quorum left); exiting anyway");
                }
            } else {
                stopping.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The third argument for a node of a temporary cluster. */
    public static final String WHEN_ORPHANED = "when-orphaned";

    /** Removes a temporary cluster's directory once no node's directory is left in it (its parent was killed). */
    private static void deleteClusterIfLast(Path root) {
        try (var entries = Files.list(root)) {
            if (entries.noneMatch(entry -> entry.getFileName().toString().startsWith("node-"))) {
                BrokerFiles.deleteTree(root);
            }
        } catch (IOException | UncheckedIOException e) {
            // another node removed it first
        }
    }

    /** The Kafka version on the classpath (clients and broker are kept at the same version). */
    public static String kafkaVersion() {
        return AppInfoParser.getVersion();
    }

    /** @param scram SCRAM users to create, as {@code --add-scram} takes them ({@code SCRAM-SHA-512=[name=..,password=..]}) */
    private static void format(Path propertiesFile, String clusterId, Path logDir, List<String> scram,
            boolean staticQuorum) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // a persistent data directory that was formatted before
        }
        PrintStream out = System.out;
        List<String> args = new ArrayList<>(List.of("format", "--cluster-id", clusterId, "--config",
                propertiesFile.toString(), "--ignore-formatted"));
        if (!staticQuorum) {
            args.add("--standalone"); // never with controller.quorum.voters
        }
        for (String user : scram) {
            args.add("--add-scram");
            args.add(user);
        }
        int rc = StorageTool.execute(args.toArray(String[]::new), out);
        if (rc != 0) {
            System.err.println("fanout broker: formatting the storage failed with code " + rc);
            System.exit(rc);
        }
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent never writes; anything it does is ignored
            }
        } catch (IOException closed) {
            // a broken pipe is the same signal as end of input
        }
    }
}
