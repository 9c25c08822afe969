package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What went wrong with an item: the error's type (an exception class or a handler-defined code), its message and,
 * when a thrown error caused it, the top of its stack trace.
 *
 * @param type    exception class name or error code, never null
 * @param message human-readable message, possibly empty
 * @param stack   the first frames of the stack trace (at most {@value #MAX_STACK_CHARS} characters), or {@code null}
 *                when no exception was thrown (a timeout, a cancellation, a rejected record)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemError(String type, String message, String stack) {

    /** Messages longer than this are cut so one record stays small. */
    public static final int MAX_MESSAGE_CHARS = 2_000;
    /** Stack traces on results are cut to this (the dead letter carries up to 8,000 characters). */
    public static final int MAX_STACK_CHARS = 1_500;
    private static final int MAX_FRAMES = 12;

    public ItemError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : truncate(message, MAX_MESSAGE_CHARS);
        stack = stack == null || stack.isBlank() ? null : truncate(stack, MAX_STACK_CHARS);
    }

    /** An error without a stack trace. */
    public ItemError(String type, String message) {
        this(type, message, null);
    }

    /** The error a throwable describes, with the first frames of its stack trace. */
    public static ItemError of(Throwable error) {
        return new ItemError(error.getClass().getName(), String.valueOf(error.getMessage()), frames(error));
    }

    private static String frames(Throwable error) {
        StackTraceElement[] trace = error.getStackTrace();
        if (trace.length == 0) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(trace.length, MAX_FRAMES); i++) {
            text.append(i == 0 ? "" : "\n").append("at ").append(trace[i]);
        }
        if (trace.length > MAX_FRAMES) {
            text.append("\n… ").append(trace.length - MAX_FRAMES).append(" more");
        }
        return text.toString();
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
