package dev.fanout.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap figures of one JVM from its {@code -Xlog:gc:file=<dir>/gc-<pid>.log:timemillis} log: the most heap in use
 * before a collection (garbage included: the peak the heap reached) and the most still in use after one (an upper
 * bound of what the process keeps), within a window of wall-clock time. The log costs nothing measurable; a
 * process that did not collect in the window has no figures.
 */
record GcLog(long peakBeforeMb, long peakAfterMb, long committedMb, int collections) {

    private static final Pattern LINE = Pattern.compile(
            "^\\[(\\d+)ms].*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** The log file a JVM started with {@code -Xlog:gc:file=<dir>/gc-%p.log} writes. */
    static Path file(Path dir, long pid) {
        return dir.resolve("gc-" + pid + ".log");
    }

    /** The figures of the collections between {@code fromMs} and {@code toMs} (epoch ms), if there were any. */
    static Optional<GcLog> read(Path file, long fromMs, long toMs) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        long before = 0;
        long after = 0;
        long committed = 0;
        int count = 0;
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher m = LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                long at = Long.parseLong(m.group(1));
                if (at < fromMs || at > toMs) {
                    continue;
                }
                before = Math.max(before, mb(m.group(2), m.group(3)));
                after = Math.max(after, mb(m.group(4), m.group(5)));
                committed = Math.max(committed, mb(m.group(6), m.group(7)));
                count++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count == 0 ? Optional.empty() : Optional.of(new GcLog(before, after, committed, count));
    }

    /** The larger of each figure. */
    GcLog max(GcLog other) {
        return new GcLog(Math.max(peakBeforeMb, other.peakBeforeMb), Math.max(peakAfterMb, other.peakAfterMb),
                Math.max(committedMb, other.committedMb), collections + other.collections);
    }

    /** {@code 412/96 MB of 1024}: peak before a collection / most kept after one, of the committed heap. */
    String describe() {
        return peakBeforeMb + "/" + peakAfterMb + " MB";
    }

    private static long mb(String value, String unit) {
        long n = Long.parseLong(value);
        return switch (unit) {
            case "K" -> n / 1024;
            case "G" -> n * 1024;
            default -> n;
        };
    }
}
