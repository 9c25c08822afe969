package dev.fanout.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers every result record carries beside its value: the batch id, the item's index and its status. A reader
 * that only counts outcomes per item (a dispatcher following its batch) takes them from here instead of decoding
 * the whole {@link ItemResult}; records written before the status header existed have no summary and are decoded.
 */
public final class ResultHeaders {

    /** The result's {@link ItemStatus} name. */
    public static final String ITEM_STATUS = "fanout.item-status";

    /** What the headers say about a result: enough to count it once per item. */
    public record Summary(long index, ItemStatus status) {
    }

    private ResultHeaders() {
    }

    /** Adds the batch id, index and status headers of {@code result}. */
    public static void put(Headers headers, ItemResult result) {
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_ID, result.batchId());
        FanoutHeaders.put(headers, FanoutHeaders.ITEM_INDEX, result.index());
        FanoutHeaders.put(headers, ITEM_STATUS, result.status().name());
    }

    /** The index and status from the headers; empty when either is missing or not valid. */
    public static Optional<Summary> summary(Headers headers) {
        Header status = headers.lastHeader(ITEM_STATUS);
        Header index = headers.lastHeader(FanoutHeaders.ITEM_INDEX);
        if (status == null || index == null || status.value() == null || index.value() == null) {
            return Optional.empty();
        }
        long parsed = digits(index.value());
        ItemStatus parsedStatus = status(status.value());
        return parsed < 0 || parsedStatus == null ? Optional.empty() : Optional.of(new Summary(parsed, parsedStatus));
    }

    /** The non-negative number the ASCII digits spell, or -1. */
    private static long digits(byte[] text) {
        if (text.length == 0 || text.length > 18) {
            return -1;
        }
        long value = 0;
        for (byte b : text) {
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static ItemStatus status(byte[] text) {
        String name = new String(text, StandardCharsets.US_ASCII);
        for (ItemStatus candidate : ItemStatus.values()) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
        }
        return null;
    }
}
