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

    private final BrokerFiles files;
    private final String maxHeap;
    private final boolean deleteOnExit;
    private volatile Process process;

    /**
     * @param deleteOnExit whether the child removes its directory when it stops (a lone temporary broker); a node of
     *                     a cluster keeps it, so it can be restarted
     */
    public BrokerNode(BrokerFiles files, String maxHeap, boolean deleteOnExit) {
        this.files = files;
        this.maxHeap = maxHeap;
        this.deleteOnExit = deleteOnExit;
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

    /** Asks it to stop (closes its standard input), waits up to 30 s, then kills it. */
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
        command.add("-Djava.awt.headless=true");
        command.add("-Dlogback.configurationFile=" + files.logbackConfig());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerMain.class.getName());
        command.add(files.serverProperties().toString());
        command.add(files.clusterId());
        command.add(Boolean.toString(deleteOnExit));
        files.scramUsers().ifPresent(users -> command.add(users.toString()));
        return command;
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
