package dev.fanout.worker;

import dev.fanout.config.ConfigException;

/**
 * How many items one worker runs at once: a fixed number, or {@code auto}: a limit that adapts to demand and to the
 * downstream's latency within {@code [min, max]} (see {@code docs/ARCHITECTURE.md}, "Adaptive concurrency").
 *
 * @param adaptive whether the limit adapts
 * @param min      the lowest limit (equal to max when fixed)
 * @param max      the highest limit, and the starting one when fixed
 */
public record Concurrency(boolean adaptive, int min, int max) {

    public static final int DEFAULT_MAX = 64;
    public static final int DEFAULT_AUTO_MIN = 4;
    public static final int DEFAULT_AUTO_MAX = 1_024;

    public Concurrency {
        if (min < 1) {
            throw new ConfigException("worker.maxConcurrency must be >= 1, was " + min);
        }
        if (max < min) {
            throw new ConfigException("worker.autoConcurrency.max must be >= min (" + min + "), was " + max);
        }
        if (!adaptive && min != max) {
            throw new ConfigException("a fixed worker.maxConcurrency has min == max, was " + min + ".." + max);
        }
    }

    public static Concurrency fixed(int limit) {
        return new Concurrency(false, limit, limit);
    }

    public static Concurrency auto(int min, int max) {
        return new Concurrency(true, min, max);
    }

    /** The limit to start with: the fixed one, or for {@code auto} the minimum. */
    public int initial() {
        return adaptive ? min : max;
    }

    @Override
    public String toString() {
        return adaptive ? "auto[" + min + ".." + max + "]" : Integer.toString(max);
    }
}
