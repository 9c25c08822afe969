package dev.fanout.cli;

import dev.fanout.dispatcher.DispatchProgress;
import java.util.Locale;

/**
 * One line about a dispatch: a bar, dispatched, succeeded and failed items, the rate, the ETA and what publishing
 * waits for. With {@code followResults} ({@code --wait}) the bar, rate and ETA are about finished items; otherwise
 * about published ones. A pure function of its inputs, so it is tested without a terminal or a clock.
 */
final class DispatchProgressLine {

    private static final int WIDTH = 30;

    private DispatchProgressLine() {
    }

    /**
     * @param ratePerSecond items per second of what the line is about (finished, or published)
     * @param interactive   a bar for a terminal, or a plain {@code progress:} line
     */
    static String format(DispatchProgress progress, boolean followResults, double ratePerSecond,
            boolean interactive) {
        long done = followResults ? progress.finished() : progress.published() + progress.alreadyDone();
        Long total = progress.total();
        StringBuilder line = new StringBuilder(interactive ? bar(done, total) : "progress: ");
        line.append(String.format(Locale.ROOT, "%,d", progress.published()));
        if (total != null) {
            line.append(String.format(Locale.ROOT, "/%,d", total));
        }
        line.append(" dispatched");
        if (progress.alreadyDone() > 0) {
            line.append(String.format(Locale.ROOT, " (+%,d done before)", progress.alreadyDone()));
        }
        line.append(String.format(Locale.ROOT, ", %,d succeeded, %,d failed", progress.succeeded(), progress.failed()));
        if (progress.rejected() > 0) {
            line.append(String.format(Locale.ROOT, ", %,d rejected", progress.rejected()));
        }
        line.append(String.format(Locale.ROOT, ", %,.0f items/s, ETA %s", ratePerSecond, eta(done, total,
                ratePerSecond)));
        if (progress.waitingFor() != null) {
            line.append(", waiting: ").append(progress.waitingFor());
        }
        return line.toString();
    }

    private static String bar(long done, Long total) {
        if (total == null) {
            return "[" + "?".repeat(WIDTH) + "] ";
        }
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        return String.format(Locale.ROOT, "[%s%s] %3.0f%% ", "#".repeat(filled), "-".repeat(WIDTH - filled),
                fraction * 100);
    }

    private static String eta(long done, Long total, double rate) {
        if (total == null || rate <= 0) {
            return done > 0 && total != null && done >= total ? "0s" : "?";
        }
        long seconds = Math.round(Math.max(0, total - done) / rate);
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }
}
