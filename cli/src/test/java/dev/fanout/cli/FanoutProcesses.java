package dev.fanout.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fanout} commands run as a user runs them: each one a child process started through {@code scripts/fanout}
 * (the launcher, which runs {@code cli/target/fanout.jar}, built by the package phase before the integration tests).
 * Each process writes its output to {@code <dir>/<name>.log}. {@link #close()} kills whatever is still running, so no
 * broker, worker or aggregator outlives a test.
 *
 * <pre>{@code
 * try (FanoutProcesses fanout = new FanoutProcesses(tempDir)) {
 *     Service worker = fanout.start("worker-1", "worker", "--bootstrap-servers", servers, "--config", yaml);
 *     worker.awaitLine("running", Duration.ofMinutes(1));
 *     Finished dispatch = fanout.run(Duration.ofMinutes(2), "dispatch", batch, "--bootstrap-servers", servers);
 * }
 * }</pre>
 */
final class FanoutProcesses implements AutoCloseable {

    /** A heap small enough for several services on a 2-core, shared test machine. */
    private static final String JAVA_OPTS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private final Path dir;
    private final Path launcher;
    private final List<Service> services = new ArrayList<>();

    FanoutProcesses(Path dir) {
        this.dir = dir;
        this.launcher = root().resolve("scripts/fanout");
    }

    /** The repository's top folder: the first folder up from the working directory that has scripts/fanout. */
    /** A port nothing listens on now, for a service's {@code --http-port}. */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path root() {
        Path at = Path.of("").toAbsolutePath();
        while (at != null && !Files.isExecutable(at.resolve("scripts/fanout"))) {
            at = at.getParent();
        }
        if (at == null) {
            throw new IllegalStateException("scripts/fanout not found above " + Path.of("").toAbsolutePath());
        }
        return at;
    }

    /** Starts a long-running command (broker, aggregator, worker, a dispatch that waits) in the background. */
    Service start(String name, String... args) {
        return start(name, Map.of(), args);
    }

    /** Starts a command with extra environment variables. */
    Service start(String name, Map<String, String> env, String... args) {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putIfAbsent("FANOUT_JAVA_OPTS", JAVA_OPTS);
        builder.environment().remove("FANOUT_BOOTSTRAP_SERVERS");
        builder.environment().putAll(env);
        ServiceArchive archive = ServiceArchive.of(root(), args, dir.resolve(name + ".jsa"));
        if (archive != null) {
            builder.environment().merge("FANOUT_JAVA_OPTS", archive.javaOptions(), (opts, more) -> opts + " " + more);
        }
        try {
            Service service = new Service(name, List.of(args), builder.start(), log, archive);
            synchronized (services) {
                services.add(service);
            }
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Watches a process started elsewhere (a Prometheus server, say): killed at the end like the others. */
    Service adopt(String name, Process process, Path log) {
        Service service = new Service(name, List.of(name), process, log, null);
        synchronized (services) {
            services.add(service);
        }
        return service;
    }

    /** Runs a command to its end and returns its exit code and output (stdout and stderr together). */
    Finished run(Duration timeout, String... args) {
        return run(timeout, Map.of(), args);
    }

    Finished run(Duration timeout, Map<String, String> env, String... args) {
        return start(args[0] + "-" + System.nanoTime(), env, args).finish(timeout);
    }

    /**
     * Kills every process still running (SIGKILL, descendants first). A service that writes its command's class-data
     * archive at exit ({@link ServiceArchive}: none was up to date when it started) gets SIGTERM first, and up to
     * 20 s to stop, so its archive is written.
     */
    @Override
    public void close() {
        synchronized (services) {
            List<Service> writers = services.stream().filter(Service::writesArchive).toList();
            writers.forEach(Service::terminate);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (Service writer : writers) {
                writer.awaitEnd(deadline);
            }
            services.forEach(Service::kill);
        }
    }

    /** A finished command: its exit code and everything it printed. */
    record Finished(int exitCode, String output) {

        /** The last line that starts with '{': the JSON a {@code --json} command ends with. */
        String lastJson() {
            List<String> json = output.lines().filter(line -> line.startsWith("{")).toList();
            if (json.isEmpty()) {
                throw new AssertionError("no JSON line in:\n" + output);
            }
            return json.get(json.size() - 1);
        }
    }

    /** One child process and its log. */
    static final class Service {

        private final String name;
        private final List<String> args;
        private final Process process;
        private final Path log;
        private final ServiceArchive archive;

        private Service(String name, List<String> args, Process process, Path log, ServiceArchive archive) {
            this.name = name;
            this.args = args;
            this.archive = archive;
            this.process = process;
            this.log = log;
        }

        String name() {
            return name;
        }

        Process process() {
            return process;
        }

        long pid() {
            return process.pid();
        }

        Path log() {
            return log;
        }

        /** Everything the process printed so far. */
        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until a line of the output matches {@code regex} and returns the match; fails if the process ends. */
        Matcher awaitLine(String regex, Duration timeout) {
            Pattern pattern = Pattern.compile(regex);
            Matcher[] found = new Matcher[1];
            await(name + " prints /" + regex + "/").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Optional<Matcher> match = output().lines().map(pattern::matcher).filter(Matcher::find)
                                .findFirst();
                        match.ifPresent(m -> found[0] = m);
                        if (match.isEmpty() && !process.isAlive()) {
                            throw new AssertionError(name + " ended (exit " + process.exitValue()
                                    + ") before printing /" + regex + "/:\n" + output());
                        }
                        return match.isPresent();
                    });
            return found[0];
        }

        /** Waits for a command started with {@link #start} to end, and returns its exit code and output. */
        Finished finish(Duration timeout) {
            int code = awaitExit(timeout);
            String output = output();
            System.out.println("$ fanout " + String.join(" ", args) + "  (exit " + code + ")\n" + output);
            return new Finished(code, output);
        }

        /** Waits for the process to end and returns its exit code. */
        int awaitExit(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new AssertionError(name + " still running after " + timeout + ":\n" + output());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (archive != null) {
                archive.ended(process.exitValue());
            }
            return process.exitValue();
        }

        private boolean writesArchive() {
            return archive != null && archive.writes() && process.isAlive();
        }

        /** Waits, at most until {@code deadline} ({@link System#nanoTime()}), for the process to end. */
        private void awaitEnd(long deadline) {
            try {
                process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** SIGTERM: the service drains and stops as on Ctrl-C. */
        void terminate() {
            process.destroy();
        }

        /** SIGKILL, the process and what it started. */
        void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                if (process.waitFor(30, TimeUnit.SECONDS) && archive != null) {
                    archive.ended(process.exitValue()); // kept only if it had ended before this SIGKILL
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
