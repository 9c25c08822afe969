package dev.fanout.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Human durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT30S}). */
public final class Durations {

    /** About the longest duration in milliseconds a {@code long} holds: longer ones are refused. */
    private static final long MAX_DAYS = Long.MAX_VALUE / 86_400_000L;
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @param property named in the error message
     */
    public static Duration parse(String text, String property) {
        String value = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher m = SIMPLE.matcher(value);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                Duration parsed = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
                parsed.toMillis(); // every user of a duration counts in milliseconds
                return parsed;
            }
            Duration parsed = Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
            parsed.toMillis();
            return parsed;
        } catch (ArithmeticException | NumberFormatException tooLong) {
            throw new IllegalArgumentException(property + " must be a duration of at most " + MAX_DAYS
                    + " days such as 250ms, 30s, 5m or PT1M, was '" + text + "'");
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(property + " must be a duration such as 250ms, 30s, 5m or PT1M, was '"
                    + text + "'");
        }
    }

    /** Formats a duration the way {@link #parse} reads it, in the largest exact unit. */
    public static String format(Duration duration) {
        long ms;
        try {
            ms = duration.toMillis();
        } catch (ArithmeticException tooLong) {
            return duration.toString();
        }
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    static SimpleModule jacksonModule() {
        SimpleModule module = new SimpleModule("fanout-durations");
        module.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    return Duration.ofMillis(parser.getLongValue());
                }
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    return (Duration) context.handleUnexpectedToken(Duration.class, parser);
                }
                String property = parser.currentName() == null ? "duration" : parser.currentName();
                return parse(parser.getText(), property);
            }
        });
        return module;
    }
}
