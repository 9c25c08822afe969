package dev.fanout.protocol;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lower-case, underscore names for the enums users write in batch files. */
final class Names {

    private Names() {
    }

    static String id(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E parse(Class<E> type, String text, String property) {
        if (text != null) {
            String wanted = text.trim().replace('-', '_');
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(wanted)) {
                    return constant;
                }
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(Names::id).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(property + " must be one of " + allowed + ", was '" + text + "'");
    }
}
