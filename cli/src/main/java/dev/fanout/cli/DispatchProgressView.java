package dev.fanout.cli;

import dev.fanout.dispatcher.BatchHandle;
import dev.fanout.dispatcher.DispatchProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Shows a dispatch while it runs: a bar redrawn in place on a terminal, a plain {@code progress:} line every few
 * seconds otherwise. The rate is over the last {@link #RATE_WINDOW}. Runs on its own daemon thread until closed.
 */
final class DispatchProgressView implements AutoCloseable {

    static final Duration RATE_WINDOW = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean interactive;
    private final BatchHandle handle;
    private final boolean followResults;
    private final Deque<long[]> samples = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param followResults whether the line is about finished items ({@code --wait}) rather than published ones
     */
    DispatchProgressView(PrintStream out, boolean interactive, BatchHandle handle, boolean followResults) {
        this.out = out;
        this.interactive = interactive;
        this.handle = handle;
        this.followResults = followResults;
        this.thread = Thread.ofPlatform().daemon().name("fanout-dispatch-progress").unstarted(this::loop);
    }

    DispatchProgressView start() {
        DispatchProgress first = handle.progress();
        samples.addLast(new long[] {System.nanoTime(), followResults ? first.finished() : first.published()});
        thread.start();
        return this;
    }

    /** Stops; on a terminal, leaves the last bar on its own line. */
    @Override
    public void close() {
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

    private void loop() {
        Duration every = interactive ? Duration.ofMillis(250) : Duration.ofSeconds(5);
        while (running) {
            try {
                Thread.sleep(every); // display refresh period
            } catch (InterruptedException e) {
                return;
            }
            if (interactive) {
                out.print("\r" + line() + "\u001b[K");
            } else {
                out.println(line());
            }
            out.flush();
        }
    }

    private synchronized String line() {
        DispatchProgress progress = handle.progress();
        long count = followResults ? progress.finished() : progress.published();
        long now = System.nanoTime();
        samples.addLast(new long[] {now, count});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW.toNanos()) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        double seconds = (now - first[0]) / 1e9;
        double rate = seconds > 0 ? (count - first[1]) / seconds : 0;
        return DispatchProgressLine.format(progress, followResults, rate, interactive);
    }
}
