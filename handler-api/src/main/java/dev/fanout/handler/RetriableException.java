package dev.fanout.handler;

/** A failure that may pass on another attempt (a timeout of a downstream, a 503): the retry policy applies. */
public class RetriableException extends RuntimeException {

    public RetriableException(String message) {
        super(message);
    }

    public RetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
