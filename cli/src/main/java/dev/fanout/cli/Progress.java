package dev.fanout.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress display for a batch: a live bar redrawn in place on a terminal, plain periodic lines otherwise.
 * Runs on its own daemon thread until {@link #stop()}.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private final long total;
    private final LongSupplier finished;
    private final LongSupplier failed;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;

    Progress(PrintStream out, boolean interactive, long total, LongSupplier finished, LongSupplier failed) {
        this.out = out;
        this.interactive = interactive;
        this.total = total;
        this.finished = finished;
        this.failed = failed;
        this.thread = Thread.ofPlatform().daemon().name("fanout-progress").unstarted(this::loop);
    }

    Progress start() {
        thread.start();
        return this;
    }

    /** Stops and, on a terminal, leaves the final bar on its own line. */
    void stop() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (interactive) {
            out.print("\r" + line() + "\n");
            out.flush();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void loop() {
        Duration every = interactive ? Duration.ofMillis(200) : Duration.ofSeconds(2);
        while (running) {
            try {
                Thread.sleep(every); // display refresh period
            } catch (InterruptedException e) {
                return;
            }
            if (interactive) {
                out.print("\r" + line());
            } else {
                out.println(line());
            }
            out.flush();
        }
    }

    String line() {
        long done = Math.min(finished.getAsLong(), total);
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long etaSeconds = rate > 0 ? Math.round((total - done) / rate) : -1;
        String bar = interactive ? "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " : "progress: ";
        return String.format(Locale.ROOT, "%s%,d/%,d items (%3.0f%%), %,d failed, %,.0f items/s, ETA %s   ", bar, done,
                total, fraction * 100, failed.getAsLong(), rate, etaSeconds < 0 ? "?" : etaSeconds + "s");
    }
}
