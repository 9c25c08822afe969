package dev.fanout.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress display for a batch: a live bar redrawn in place on a terminal, plain periodic lines otherwise.
 * Runs on its own daemon thread until closed.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;

    private final boolean interactive;
    private final long total;
    private final LongSupplier finished;
    private final LongSupplier failed;
    private final LiveLine live;
    private final long startNanos = System.nanoTime();

    Progress(PrintStream out, boolean interactive, long total, LongSupplier finished, LongSupplier failed) {
        this.interactive = interactive;
        this.total = total;
        this.finished = finished;
        this.failed = failed;
        this.live = new LiveLine(out, interactive, Duration.ofMillis(200), Duration.ofSeconds(2), this::line,
                "fanout-progress");
    }

    Progress start() {
        live.start();
        return this;
    }

    /** Stops and, on a terminal, leaves the final bar on its own line. */
    @Override
    public void close() {
        live.close();
    }

    String line() {
        long done = Math.min(finished.getAsLong(), total);
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long etaSeconds = rate > 0 ? Math.round((total - done) / rate) : -1;
        String bar = interactive ? "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " : "progress: ";
        return String.format(Locale.ROOT, "%s%,d/%,d items (%3.0f%%), %,d failed, %,.0f items/s, ETA %s", bar, done,
                total, fraction * 100, failed.getAsLong(), rate, etaSeconds < 0 ? "?" : etaSeconds + "s");
    }
}
