package dev.fanout.broker.internal;

import dev.fanout.broker.BrokerStartException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node's child JVM ({@link BrokerMain}): launched on its files, stopped by closing its standard input (it
 * shuts down cleanly), or killed. It can be launched again on the same files, ports and data: a restart.
 */
public final class BrokerNode {

    private static final Logger log = LoggerFactory.getLogger(BrokerNode.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Extra options for every node's JVM (after {@code -Xmx}), e.g. {@code -XX:TieredStopAtLevel=1}. */
    public static final String JAVA_OPTS_ENV = "FANOUT_BROKER_JAVA_OPTS";

    private final BrokerFiles files;
    private final String maxHeap;
    private final String deleteMode;
    private volatile Process process;

    /**
     * @param lone whether it is the only node: a temporary lone broker removes its directory whenever it stops; a
     *             node of a temporary cluster only when its parent closes it or dies (a SIGTERM bounce keeps its data
     *             for the restart)
     */
    public BrokerNode(BrokerFiles files, String maxHeap, boolean lone) {
        this.files = files;
        this.maxHeap = maxHeap;
        this.deleteMode = !files.isTemporary() ? "false" : lone ? "true" : BrokerMain.WHEN_ORPHANED;
    }

    public BrokerFiles files() {
        return files;
    }

    /** Starts its JVM (again, after a stop or a kill); its console output is appended to its log. */
    public synchronized void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + files.nodeId() + " is running (pid " + process.pid() + ")");
        }
        try {
            process = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(files.logFile().toFile())).start();
        } catch (IOException e) {
            throw new BrokerStartException("could not launch the broker JVM (" + javaExecutable() + "): "
                    + e.getMessage(), e);
        }
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        Process running = process;
        return running != null && running.isAlive();
    }

    /** Asks it to stop for good (closes its standard input), waits up to 30 s, then kills it. */
    public synchronized void stop() {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        try {
            OutputStream stdin = running.getOutputStream();
            stdin.close();
        } catch (IOException e) {
            log.debug("closing node {}'s stdin failed", files.nodeId(), e);
        }
        awaitStop(running);
    }

    /** Stops it as a SIGTERM would (a clean shutdown that keeps its data), for a restart; waits as {@link #stop}. */
    public synchronized void terminate() {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        running.toHandle().destroy(); // SIGTERM; Process.destroy would also close its stdin, which reads as "parent gone"
        awaitStop(running);
    }

    private void awaitStop(Process running) {
        try {
            if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("broker node {} (pid {}) did not stop within {}; killing it", files.nodeId(), running.pid(),
                        STOP_TIMEOUT);
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills it at once (SIGKILL) and waits for it to be gone. */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroyForcibly();
        try {
            running.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Xmx" + maxHeap);
        command.addAll(extraJvmOptions(System.getenv(JAVA_OPTS_ENV)));
        command.add("-Djava.awt.headless=true");
        command.add("-Dlogback.configurationFile=" + files.logbackConfig());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerMain.class.getName());
        command.add(files.serverProperties().toString());
        command.add(files.clusterId());
        command.add(deleteMode);
        files.scramUsers().ifPresent(users -> command.add(users.toString()));
        return command;
    }

    /** {@code FANOUT_BROKER_JAVA_OPTS}, split on whitespace; none when unset or blank. */
    static List<String> extraJvmOptions(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.strip().split("\\s+"));
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
