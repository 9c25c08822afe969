package dev.fanout.worker.internal;

import java.time.Duration;

/** Waits between attempts; tests substitute one that records instead of waiting. */
@FunctionalInterface
public interface Sleeper {

    Sleeper SYSTEM = duration -> Thread.sleep(duration);

    void sleep(Duration duration) throws InterruptedException;
}
