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

    private final boolean interactive;
    private final BatchHandle handle;
    private final boolean followResults;
    private final Deque<long[]> samples = new ArrayDeque<>();
    private final LiveLine live;

    /**
     * @param followResults whether the line is about finished items ({@code --wait}) rather than published ones
     */
    DispatchProgressView(PrintStream out, boolean interactive, BatchHandle handle, boolean followResults) {
        this.interactive = interactive;
        this.handle = handle;
        this.followResults = followResults;
        this.live = new LiveLine(out, interactive, Duration.ofMillis(250), Duration.ofSeconds(5), this::line,
                "fanout-dispatch-progress");
    }

    DispatchProgressView start() {
        DispatchProgress first = handle.progress();
        samples.addLast(new long[] {System.nanoTime(), followResults ? first.finished() : first.published()});
        live.start();
        return this;
    }

    /** Stops; on a terminal, leaves the last bar on its own line. */
    @Override
    public void close() {
        live.close();
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
