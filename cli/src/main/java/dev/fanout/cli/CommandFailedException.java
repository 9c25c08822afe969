package dev.fanout.cli;

/** A command could not do its job for a reason its message explains fully; printed without a stack trace. */
final class CommandFailedException extends RuntimeException {

    CommandFailedException(String message) {
        super(message);
    }
}
