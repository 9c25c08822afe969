package dev.fanout.handler;

/** A failure that no retry can fix (invalid input, a 400): the item is dead-lettered at once. */
public class PermanentException extends RuntimeException {

    public PermanentException(String message) {
        super(message);
    }

    public PermanentException(String message, Throwable cause) {
        super(message, cause);
    }
}
