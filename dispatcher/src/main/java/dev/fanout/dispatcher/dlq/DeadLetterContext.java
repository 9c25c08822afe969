package dev.fanout.dispatcher.dlq;

import java.time.Instant;

/**
 * What a dead letter's headers say about it, whoever wrote it. Fields the writer does not record are {@code null}.
 *
 * @param source            who wrote it
 * @param originalTopic     the topic the failed record came from: the default target of a replay
 * @param originalPartition its partition there
 * @param originalOffset    its offset there
 * @param reason            the Fanout failure reason ({@code fanout.dlt.reason}); {@code null} for other writers
 * @param errorType         the exception class
 * @param errorMessage      the exception message
 * @param batchId           the Fanout batch ({@code fanout.batch-id})
 * @param itemIndex         the item's index in its batch ({@code fanout.item-index})
 * @param attempts          attempts made ({@code fanout.dlt.attempts})
 * @param lastFailure       the last failure ({@code fanout.dlt.last-failure}), else the dead letter's timestamp
 */
public record DeadLetterContext(
        DeadLetterSource source,
        String originalTopic,
        Integer originalPartition,
        Long originalOffset,
        String reason,
        String errorType,
        String errorMessage,
        String batchId,
        Long itemIndex,
        Integer attempts,
        Instant lastFailure) {
}
