package dev.fanout.dispatcher.dlq;

import java.util.Objects;
import java.util.Set;

/**
 * How {@link DeadLetterReplay} republishes dead letters.
 *
 * @param filter      which dead letters
 * @param dryRun      count and report only: send nothing, record nothing
 * @param limit       replay at most this many (the rest are left for a later run), or {@code null} for all
 * @param ratePerSecond at most this many records per second, or {@code null} for no limit
 * @param to          the target topic, or {@code null} for each dead letter's original topic
 * @param keepHeaders keep the dead-letter context headers ({@code fanout.dlt.*}, {@code kafka_dlt-*},
 *                    {@code __connect.errors.*}) too; by default only the original record's headers go
 * @param dropHeaders header names never republished
 * @param force       replay dead letters the ledger says were already replayed
 */
public record ReplayOptions(DeadLetterFilter filter, boolean dryRun, Integer limit, Double ratePerSecond, String to,
        boolean keepHeaders, Set<String> dropHeaders, boolean force) {

    public static final String LIMIT = "--limit";
    public static final String RATE = "--rate";

    public ReplayOptions {
        Objects.requireNonNull(filter, "filter");
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException(LIMIT + " must be >= 1, was " + limit);
        }
        if (ratePerSecond != null && !(ratePerSecond > 0)) {
            throw new IllegalArgumentException(RATE + " must be > 0 records per second, was " + ratePerSecond);
        }
        if (to != null && to.isBlank()) {
            throw new IllegalArgumentException("--to must name a topic, was blank");
        }
        dropHeaders = Set.copyOf(Objects.requireNonNullElse(dropHeaders, Set.of()));
    }

    /** Every dead letter, to its original topic, no limits. */
    public static ReplayOptions ofDefaults() {
        return new ReplayOptions(DeadLetterFilter.all(), false, null, null, null, false, Set.of(), false);
    }

    /**
     * A rate such as {@code 50/s}, {@code 50} (per second), {@code 0.5/s} or {@code 120/m}, in records per second.
     */
    public static double parseRate(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        double per = 1;
        if (value.endsWith("/s")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("/m")) {
            value = value.substring(0, value.length() - 2);
            per = 60;
        }
        try {
            double rate = Double.parseDouble(value) / per;
            if (rate > 0 && Double.isFinite(rate)) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below with the rule
        }
        throw new IllegalArgumentException(RATE + " must be a positive rate such as 50/s, 0.5/s or 120/m, was '"
                + text + "'");
    }
}
