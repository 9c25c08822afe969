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

    /**
     * Kafka clients' logs at ERROR too: for a short command whose own message says what failed, so a broker that
     * cannot be reached is reported once instead of in a warning per reconnection attempt.
     */
    static void quietKafkaClients() {
        quiet();
        if (LoggerFactory.getLogger("org.apache.kafka") instanceof Logger logger) {
            logger.setLevel(Level.ERROR);
        }
    }
}
