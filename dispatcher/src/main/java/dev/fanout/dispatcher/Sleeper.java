package dev.fanout.dispatcher;

import java.time.Duration;

/**
 * How the dispatcher waits for pacing and for lane capacity: the seam that lets tests move a clock instead of
 * sleeping. {@link #system()} sleeps for real.
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits for {@code duration}, or less if interrupted. */
    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return Thread::sleep;
    }
}
