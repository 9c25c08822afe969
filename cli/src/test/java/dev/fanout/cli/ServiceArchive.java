package dev.fanout.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;

/**
 * Class-data archives (AppCDS) of what a {@code fanout worker} or {@code fanout aggregator} process loads, so the
 * many services of the cli tests start faster (on this 2-core machine a worker was running and assigned in 1.9 s
 * instead of 3.6, an aggregator in 4.0 s instead of 5.1). One archive per command, in {@code cli/target}.
 *
 * <p>Until a command's archive exists (or while it is older than the jar), each of its processes writes an archive of
 * its own when it exits ({@code -XX:ArchiveClassesAtExit} to a file beside its log); the first one that exits with
 * 0 or on SIGTERM is moved into place in one step, so no JVM ever reads or writes a half-written archive (nor keeps
 * the few classes of one that was refused at start). A process killed with SIGKILL writes nothing, so
 * {@link FanoutProcesses#close()} stops such a writer with SIGTERM.
 */
final class ServiceArchive {

    private static final Set<String> SERVICES = Set.of("worker", "aggregator");
    /** A run that ended well: by itself, or stopped with SIGTERM (not one refused at start, nor SIGKILLed). */
    private static final Set<Integer> CLEAN_EXITS = Set.of(0, 128 + 15);
    private static final String QUIET = " -Xlog:cds=off -Xlog:cds+dynamic=off";

    private final Path jar;
    private final Path archive;
    private final Path own;
    private final boolean writes;

    private ServiceArchive(Path root, String command, Path own) {
        this.jar = root.resolve("cli/target/fanout.jar");
        this.archive = root.resolve("cli/target/fanout-test-" + command + ".jsa");
        this.own = own;
        this.writes = !usable();
    }

    /** The archive of {@code args}' command, null if it is not a service; {@code own} is where it may write one. */
    static ServiceArchive of(Path root, String[] args, Path own) {
        return args.length > 0 && SERVICES.contains(args[0]) ? new ServiceArchive(root, args[0], own) : null;
    }

    /** The JVM options: use the archive if it is up to date, else write one at exit. */
    String javaOptions() {
        return (writes ? "-XX:ArchiveClassesAtExit=" + own : "-XX:SharedArchiveFile=" + archive) + QUIET;
    }

    /** Whether the process writes an archive at exit (there was none up to date when it started). */
    boolean writes() {
        return writes;
    }

    /** Once the process has ended: its archive becomes the command's if there is none yet, else it is dropped. */
    void ended(int exitCode) {
        try {
            synchronized (ServiceArchive.class) {
                if (CLEAN_EXITS.contains(exitCode) && !usable() && Files.isRegularFile(own) && Files.size(own) > 0) {
                    Files.move(own, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.deleteIfExists(own);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the class-data archive " + own, e);
        }
    }

    private boolean usable() {
        try {
            return Files.isRegularFile(archive) && Files.isRegularFile(jar)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
