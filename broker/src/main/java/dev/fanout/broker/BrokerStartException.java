package dev.fanout.broker;

/** The embedded broker did not start; the message says why and, where known, ends with the broker's last log lines. */
public final class BrokerStartException extends RuntimeException {

    public BrokerStartException(String message) {
        super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
