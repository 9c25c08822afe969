package dev.fanout.worker.internal;

import java.util.Base64;
import java.util.BitSet;
import java.util.Optional;

/**
 * What a worker remembers in a commit's metadata, so that whoever owns the partition next neither reruns the records
 * finished above the committed offset nor mistakes a redelivery for a first delivery.
 *
 * <p>Format: {@code v1;f=<fetched>;b=<base64 bitset>}, where bit {@code i} of the bitset says that offset
 * {@code committed + i} is finished, and {@code fetched} is the next offset the worker would have fetched. The bitset
 * spans at most {@link #MAX_SPAN} offsets (under 2 KB in base64, well inside Kafka's default 4 KB metadata limit); the
 * worker pauses a partition whose unfinished span would be longer (see {@code PollLoop}).
 *
 * @param committed  the committed offset this metadata belongs to
 * @param fetched    the next offset the previous owner would have fetched: records below it were delivered before
 * @param finished   offsets {@code committed + i} finished, by {@code i}
 */
public record OffsetMetadata(long committed, long fetched, BitSet finished) {

    /** The longest run of offsets above the committed one that the metadata can describe. */
    public static final int MAX_SPAN = 12_000;
    private static final String PREFIX = "v1;f=";

    /** Whether the record at this offset already has its outcome recorded. */
    public boolean isFinished(long offset) {
        long i = offset - committed;
        return i >= 0 && i < MAX_SPAN && finished.get((int) i);
    }

    /** Whether the record at this offset was delivered to a worker before (and may have run, unrecorded). */
    public boolean wasDelivered(long offset) {
        return offset >= committed && offset < fetched;
    }

    public String encode() {
        return PREFIX + fetched + ";b=" + Base64.getEncoder().withoutPadding().encodeToString(finished.toByteArray());
    }

    /** Reads the metadata of a commit; anything else (another tool's metadata, none) reads as empty. */
    public static Optional<OffsetMetadata> decode(long committed, String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int bits = text.indexOf(";b=");
        if (bits < 0) {
            return Optional.empty();
        }
        try {
            long fetched = Long.parseLong(text.substring(PREFIX.length(), bits));
            BitSet finished = BitSet.valueOf(Base64.getDecoder().decode(text.substring(bits + 3)));
            return Optional.of(new OffsetMetadata(committed, fetched, finished));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
