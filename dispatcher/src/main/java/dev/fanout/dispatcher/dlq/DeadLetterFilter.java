package dev.fanout.dispatcher.dlq;

import dev.fanout.config.Durations;
import dev.fanout.protocol.FailureReason;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which dead letters a command works on. Every criterion is optional ({@code null}); all given ones must hold.
 *
 * @param batchId       the {@code fanout.batch-id} header equals this
 * @param reason        the Fanout failure reason equals this (dead letters of other writers have none)
 * @param errorContains the error type or message contains this, ignoring case
 * @param since         dead-lettered at or after this
 * @param until         dead-lettered before this
 * @param originalTopic the original topic equals this
 * @param partition     the dead letter's partition (of the dead-letter topic) equals this
 */
public record DeadLetterFilter(String batchId, FailureReason reason, String errorContains, Instant since,
        Instant until, String originalTopic, Integer partition) {

    public static final String SINCE = "--since";
    public static final String UNTIL = "--until";

    public DeadLetterFilter {
        if (since != null && until != null && !until.isAfter(since)) {
            throw new IllegalArgumentException(UNTIL + " must be after " + SINCE + " (" + since + "), was " + until);
        }
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("--partition must be >= 0, was " + partition);
        }
    }

    /** Matches every dead letter. */
    public static DeadLetterFilter all() {
        return new DeadLetterFilter(null, null, null, null, null, null, null);
    }

    public boolean matches(DeadLetter letter) {
        DeadLetterContext context = letter.context();
        return (batchId == null || batchId.equals(context.batchId()))
                && (reason == null || reason.name().equals(context.reason()))
                && (errorContains == null || contains(context.errorType()) || contains(context.errorMessage()))
                && (since == null || !letter.timestamp().isBefore(since))
                && (until == null || letter.timestamp().isBefore(until))
                && (originalTopic == null || originalTopic.equals(context.originalTopic()))
                && (partition == null || partition == letter.partition());
    }

    private boolean contains(String text) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(errorContains.toLowerCase(Locale.ROOT));
    }

    /**
     * A point in time: an ISO-8601 instant ({@code 2026-11-22T01:00:00Z}) or a duration before now ({@code 30m},
     * {@code 2h}, {@code 1d}).
     *
     * @param option named in the error message
     */
    public static Instant parseTime(String text, String option, InstantSource clock) {
        String value = text == null ? "" : text.trim();
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return clock.instant().minus(Durations.parse(value, option));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " must be an instant such as 2026-11-22T01:00:00Z or a"
                        + " duration before now such as 30m, 2h or 1d, was '" + text + "'");
            }
        }
    }

    /** A failure reason by name, ignoring case, with an error that lists the names. */
    public static FailureReason parseReason(String text) {
        try {
            return FailureReason.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--reason must be one of " + Arrays.toString(FailureReason.values())
                    + ", was '" + text + "'");
        }
    }
}
