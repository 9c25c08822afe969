package dev.fanout.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of processes from Linux's {@code /proc/<pid>/stat}: user + system time of a live process and its
 * descendants, and the time of this JVM's children that have ended and been reaped ({@code cutime + cstime}), which
 * is how the CPU of a command that runs to its end (a {@code fanout dispatch}) is counted.
 */
final class ProcCpu {

    /** Clock ticks per second of the stat fields; 100 on every Linux we run on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcCpu() {
    }

    /** Whether {@code /proc} can be read here (Linux); without it every figure is 0. */
    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** CPU seconds of a live process and all its descendants (0 for one that has ended). */
    static double tree(ProcessHandle process) {
        double seconds = own(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            seconds += own(child.pid());
        }
        return seconds;
    }

    /** CPU seconds of the children of this JVM that have ended, summed over their whole lives. */
    static double reapedChildren() {
        long[] fields = fields("self");
        return fields == null ? 0 : (fields[2] + fields[3]) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds of every thread of a live process and its descendants, summed by thread name as Linux keeps it
     * ({@code /proc/<pid>/task/<tid>/comm}: the first 15 characters of the Java thread's name).
     */
    static Map<String, Double> threads(ProcessHandle process) {
        Map<String, Double> byName = new TreeMap<>();
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process);
        for (ProcessHandle each : all) {
            Path tasks = Path.of("/proc", Long.toString(each.pid()), "task");
            try (Stream<Path> tids = Files.list(tasks)) {
                for (Path tid : tids.toList()) {
                    long[] fields = fields(each.pid() + "/task/" + tid.getFileName());
                    String name;
                    try {
                        name = Files.readString(tid.resolve("comm"), StandardCharsets.UTF_8).trim();
                    } catch (IOException gone) {
                        continue;
                    }
                    if (fields != null) {
                        byName.merge(name, (fields[0] + fields[1]) / TICKS_PER_SECOND, Double::sum);
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
        }
        return byName;
    }

    private static double own(long pid) {
        long[] fields = fields(Long.toString(pid));
        return fields == null ? 0 : (fields[0] + fields[1]) / TICKS_PER_SECOND;
    }

    /** utime, stime, cutime, cstime (fields 14 to 17 of proc(5)), or null when the process is gone. */
    private static long[] fields(String pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
            return null;
        }
        // the command name (field 2) is in parentheses and may hold spaces: count from the last ')'
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // rest[0] is field 3 (state), so field n is rest[n - 3]
        return new long[] {Long.parseLong(rest[11]), Long.parseLong(rest[12]), Long.parseLong(rest[13]),
            Long.parseLong(rest[14])};
    }
}
