package dev.fanout.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processes of {@code scripts/bench.sh system}: {@code fanout} commands started through {@code scripts/fanout}
 * (the launcher, as a user runs them) and child JVMs with the benchmark's classpath (the peer). Each writes its
 * output to {@code <dir>/<name>.log}. A shutdown hook kills whatever still runs, descendants first, so no broker,
 * worker, aggregator or peer outlives the benchmark, even after Ctrl-C; {@link #close()} stops them the same way.
 */
public final class ChildProcesses implements AutoCloseable {

    private final Path root;
    private final Path dir;
    private final List<Child> children = new ArrayList<>();
    private final Thread killer = new Thread(this::killAll, "bench-kill-children");

    /**
     * @param root the repository's top folder (where {@code scripts/fanout} is)
     * @param dir  where the logs go
     */
    public ChildProcesses(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** The repository's top folder: {@code -Dfanout.root} (set by scripts/bench.sh), else the first one up with it. */
    public static Path repositoryRoot() {
        String given = System.getProperty("fanout.root");
        Path at = given != null ? Path.of(given) : Path.of("").toAbsolutePath();
        while (at != null && !Files.isExecutable(at.resolve("scripts/fanout"))) {
            at = at.getParent();
        }
        if (at == null) {
            throw new IllegalStateException("scripts/fanout not found; run the benchmark with scripts/bench.sh");
        }
        return at;
    }

    public Path dir() {
        return dir;
    }

    /** Starts {@code scripts/fanout ARGS} with extra environment variables. */
    public Child fanout(String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("scripts/fanout").toString());
        command.addAll(Arrays.asList(args));
        return start(name, command, env);
    }

    /** Starts a main class of the benchmark's classpath in a child JVM with a heap cap and a GC log. */
    Child java(String name, String maxHeap, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap,
                "-Xlog:gc:file=" + dir.resolve("gc-%p.log") + ":timemillis",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return start(name, command, Map.of());
    }

    private Child start(String name, List<String> command, Map<String, String> env) {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("FANOUT_BOOTSTRAP_SERVERS");
        builder.environment().remove("FANOUT_TOPIC_PREFIX");
        builder.environment().putAll(env);
        try {
            Child child = new Child(name, builder.start(), log);
            synchronized (children) {
                children.add(child);
            }
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Stops every child still running, the last started first (workers before the broker they drain to): SIGTERM,
     * then SIGKILL if it has not ended after the grace.
     */
    public void stopAll(Duration grace) {
        List<Child> running;
        synchronized (children) {
            running = new ArrayList<>(children.stream().filter(child -> child.process.isAlive()).toList());
        }
        Collections.reverse(running);
        for (Child child : running) {
            child.stop(grace);
        }
    }

    @Override
    public void close() {
        stopAll(Duration.ofSeconds(20));
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /**
     * The shutdown hook's stop, and the last step of {@link #close()}: SIGTERM to every child still running at once,
     * up to 10 s for them and what they started to end (the broker removes its files), then SIGKILL.
     */
    private void killAll() {
        List<ProcessHandle> family = new ArrayList<>();
        synchronized (children) {
            for (Child child : children) {
                family.addAll(child.process.descendants().toList());
                family.add(child.process.toHandle());
            }
            children.forEach(child -> child.process.destroy());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle member : family) {
            try {
                member.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // killed below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /** One child process and its log. */
    public static final class Child {

        private final String name;
        private final Process process;
        private final Path log;

        private Child(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        public String name() {
            return name;
        }

        public ProcessHandle handle() {
            return process.toHandle();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Everything the process printed so far. */
        public String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** How many lines the process printed so far contain a match of {@code regex}. */
        public int count(String regex) {
            Pattern pattern = Pattern.compile(regex);
            return (int) output().lines().filter(line -> pattern.matcher(line).find()).count();
        }

        /** Waits until a line matches {@code regex} and returns the match; fails if the process ends first. */
        public Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
            return awaitLine(regex, 1, timeout);
        }

        /** Waits until {@code count} lines match {@code regex} and returns the last match (a line seen again). */
        public Matcher awaitLine(String regex, int count, Duration timeout) throws InterruptedException {
            Pattern pattern = Pattern.compile(regex);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<Matcher> match = output().lines().map(pattern::matcher).filter(Matcher::find)
                        .skip(count - 1L).findFirst();
                if (match.isPresent()) {
                    return match.get();
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before printing /"
                            + regex + "/; its log " + log + ":\n" + output());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not print /" + regex + "/ (" + count + " times)"
                            + " within " + timeout + "; its log " + log + ":\n" + output());
                }
                Thread.sleep(100); // polling a log file
            }
        }

        /** Waits for the end and returns the exit code; kills the process and fails after the timeout. */
        public int awaitExit(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new IllegalStateException(name + " still running after " + timeout + "; its log " + log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            return process.exitValue();
        }

        /**
         * SIGTERM (a fanout service drains and stops as on Ctrl-C) and waits for it and for what it started (the
         * broker's JVM stops when its parent has gone), then SIGKILL to whatever is left after the grace.
         */
        public void stop(Duration grace) {
            List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
            family.add(process.toHandle());
            long deadline = System.nanoTime() + grace.toNanos();
            process.destroy();
            for (ProcessHandle member : family) {
                try {
                    member.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    System.err.println("bench: " + name + " (pid " + member.pid() + ") did not stop within " + grace
                            + " of SIGTERM; killing it");
                } catch (ExecutionException e) {
                    // gone
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            family.forEach(ProcessHandle::destroyForcibly);
            kill();
        }

        /** SIGKILL, the process and what it started. */
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
