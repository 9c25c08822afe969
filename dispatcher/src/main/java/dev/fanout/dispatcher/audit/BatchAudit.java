package dev.fanout.dispatcher.audit;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.dlq.DeadLetterReader;
import dev.fanout.dispatcher.internal.BatchLog;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ItemResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks from the topics alone that every item of a batch is accounted for: reads its definition ({@code batches}),
 * every result ({@code results}), every decision ({@code batch-results}) and every dead letter ({@code dlq}) as they
 * are now, and applies the rules of {@link AuditReport}. It needs no running service, so it can judge the system
 * after a crash of any of them ({@code fanout verify}, {@code scripts/chaos}).
 *
 * <pre>{@code
 * AuditReport report = BatchAudit.of(kafka).audit("orders-7");
 * System.out.println(report.summary()); // ALL-ITEMS-ACCOUNTED batch orders-7: 20000 items, ...
 * }</pre>
 */
public final class BatchAudit {

    private final KafkaSettings kafka;

    private BatchAudit(KafkaSettings kafka) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
    }

    public static BatchAudit of(KafkaSettings kafka) {
        return new BatchAudit(kafka);
    }

    /** Reads the batch's records now on the topics and checks them. */
    public AuditReport audit(String batchId) {
        Objects.requireNonNull(batchId, "batchId");
        Optional<BatchDefinition> definition = BatchLog.latestDefinition(kafka, batchId);
        List<ItemResult> results = BatchLog.all(kafka, kafka.topics().results().name(), batchId, ItemResult.class);
        List<BatchResult> decisions = BatchLog.all(kafka, kafka.topics().batchResults().name(), batchId,
                BatchResult.class);
        List<Long> deadLetters = new ArrayList<>();
        DeadLetterReader.of(kafka).scan(letter -> {
            if (batchId.equals(letter.context().batchId()) && letter.context().itemIndex() != null) {
                deadLetters.add(letter.context().itemIndex());
            }
        });
        return AuditCheck.check(batchId, definition, results, decisions, deadLetters);
    }
}
