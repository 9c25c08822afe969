package dev.fanout.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels chosen by commands (the demo's output is its progress and summary, not the services' logs). */
final class Logs {

    private Logs() {
    }

    /** Fanout's own logs at WARN: what needs attention still shows. */
    static void quiet() {
        if (LoggerFactory.getLogger("dev.fanout") instanceof Logger logger) {
            logger.setLevel(Level.WARN);
        }
    }
}
