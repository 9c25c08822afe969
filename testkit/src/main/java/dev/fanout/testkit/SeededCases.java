package dev.fanout.testkit;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs a property over seeded cases: case {@code i} draws its input from {@code new HostileInputs(firstSeed + i)} and
 * checks it. A failing case fails the test with its seed and its input, and {@code -Dfanout.seed=SEED} reruns only
 * the case of that seed, so a failure is reproducible.
 */
public final class SeededCases {

    /** The system property that, when set, runs only the case of that seed. */
    public static final String SEED_PROPERTY = "fanout.seed";
    private static final int SHOWN = 400;

    private SeededCases() {
    }

    /** A check of one generated input. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T input) throws Exception;
    }

    /** Checks {@code cases} inputs drawn by {@code generate} from the seeds {@code firstSeed} onwards. */
    public static <T> void check(long firstSeed, int cases, Function<HostileInputs, T> generate, Check<T> check) {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            checkOne(Long.parseLong(only.strip()), generate, check);
            return;
        }
        for (int i = 0; i < cases; i++) {
            checkOne(firstSeed + i, generate, check);
        }
    }

    private static <T> void checkOne(long seed, Function<HostileInputs, T> generate, Check<T> check) {
        T input = null;
        try {
            input = generate.apply(new HostileInputs(seed));
            check.check(input);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("the case of seed " + seed + " failed (rerun only it with -D" + SEED_PROPERTY
                    + "=" + seed + "); input: " + describe(input) + "; failure: " + e, e);
        }
    }

    /** The input as readable text: bytes outside printable ASCII as {@code \xNN}, long inputs cut. */
    static String describe(Object input) {
        String text = switch (input) {
            case null -> "null";
            case byte[] bytes -> escape(bytes);
            case CharSequence chars -> '"' + escape(chars.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + '"';
            case Collection<?> items -> items.stream().map(SeededCases::describe)
                    .collect(Collectors.joining(", ", "[", "]"));
            case Map<?, ?> entries -> entries.entrySet().stream()
                    .map(entry -> describe(entry.getKey()) + "=" + describe(entry.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
            case Record record -> describeRecord(record);
            default -> String.valueOf(input);
        };
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "… (" + text.length() + " characters)";
    }

    private static String describeRecord(Record record) {
        StringBuilder text = new StringBuilder(record.getClass().getSimpleName()).append('(');
        RecordComponent[] components = record.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            try {
                components[i].getAccessor().setAccessible(true);
                text.append(i == 0 ? "" : ", ").append(components[i].getName()).append('=')
                        .append(describe(components[i].getAccessor().invoke(record)));
            } catch (ReflectiveOperationException e) {
                text.append(components[i].getName()).append("=?");
            }
        }
        return text.append(')').toString();
    }

    private static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int unsigned = b & 0xff;
            if (unsigned >= 0x20 && unsigned < 0x7f && unsigned != '\\') {
                text.append((char) unsigned);
            } else {
                text.append(String.format("\\x%02X", unsigned));
            }
        }
        return text.toString();
    }
}
