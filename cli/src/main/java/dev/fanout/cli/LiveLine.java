package dev.fanout.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One status line kept up to date on its own daemon thread: redrawn in place on a terminal, printed as a new line
 * every few seconds otherwise. Closing it stops the thread and, on a terminal, leaves the last line on its own line.
 */
final class LiveLine implements AutoCloseable {

    private static final String CLEAR_TO_END = "\u001b[K";

    private final PrintStream out;
    private final boolean interactive;
    private final Duration every;
    private final Supplier<String> line;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param onTerminal how often to redraw on a terminal
     * @param inLog      how often to print a line when the output is not a terminal
     */
    LiveLine(PrintStream out, boolean interactive, Duration onTerminal, Duration inLog, Supplier<String> line,
            String name) {
        this.out = out;
        this.interactive = interactive;
        this.every = interactive ? onTerminal : inLog;
        this.line = line;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::loop);
    }

    LiveLine start() {
        thread.start();
        return this;
    }

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
            out.print("\r" + line.get() + CLEAR_TO_END + "\n");
            out.flush();
        }
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(every); // display refresh period
            } catch (InterruptedException e) {
                return;
            }
            if (interactive) {
                out.print("\r" + line.get() + CLEAR_TO_END);
            } else {
                out.println(line.get());
            }
            out.flush();
        }
    }
}
