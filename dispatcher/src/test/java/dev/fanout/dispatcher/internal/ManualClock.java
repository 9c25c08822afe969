package dev.fanout.dispatcher.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand; its {@link #sleep} moves it instead of waiting. */
final class ManualClock implements InstantSource {

    private Instant now = Instant.parse("2026-11-22T00:00:00Z");

    @Override
    public synchronized Instant instant() {
        return now;
    }

    synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    void sleep(Duration duration) {
        advance(duration);
    }
}
