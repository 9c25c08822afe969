package dev.fanout.dispatcher;

/** Kafka did not accept what the dispatcher published; nothing invalid about the input. */
public final class DispatchException extends RuntimeException {

    public DispatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
