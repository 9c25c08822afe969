package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * What went wrong with an item: the error's type (an exception class or a handler-defined code) and its message.
 *
 * @param type    exception class name or error code, never null
 * @param message human-readable message, possibly empty
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemError(String type, String message) {

    /** Messages longer than this are cut so one record stays small. */
    public static final int MAX_MESSAGE_CHARS = 2_000;

    public ItemError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : truncate(message, MAX_MESSAGE_CHARS);
    }

    public static ItemError of(Throwable error) {
        return new ItemError(error.getClass().getName(), String.valueOf(error.getMessage()));
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
