package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.AggregatorMetrics;
import dev.fanout.aggregator.ChainTopics;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PoisonRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans item results back in per batch and decides each batch once per revision. Reads batch definitions and item
 * results (raw bytes keyed by batchId), counts each item's first result, takes replays and late supplements as
 * {@link ResultRules} say, and decides as soon as {@link DecisionRules} allow. Results read after the decision are
 * counted too: a replay that changed the counts, or the last outstanding item of a batch decided early, makes a
 * revision due, which {@link Revisions} publishes once per commit interval for all the results read meanwhile. A
 * wall-clock punctuator decides undecided batches whose total timeout passed and removes expired items. What a
 * decision publishes is {@link Decisions}' job; a success counted after a decision that compensates goes to
 * {@link Compensations}. Records that are not valid envelopes go to the dead-letter sink with
 * their raw bytes; processing goes on.
 */
public final class AggregatorProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(AggregatorProcessor.class);

    /** Where everything this processor needs lives: topic, store and sink names, and its tuning. */
    public record Wiring(
            String batchesTopic,
            String resultsTopic,
            String batchStore,
            String itemStore,
            String itemIdStore,
            String deadlineStore,
            String expiryStore,
            String revisionStore,
            String batchResultsSink,
            String deadLetterSink,
            String controlSink,
            String chainSink,
            String batchesSink,
            Map<Lane, String> jobSinks,
            Duration punctuationInterval,
            Duration revisionInterval,
            Duration itemRetention,
            int retentionChunk) {

        public Wiring {
            Objects.requireNonNull(batchesTopic, "batchesTopic");
            Objects.requireNonNull(resultsTopic, "resultsTopic");
            Objects.requireNonNull(batchStore, "batchStore");
            Objects.requireNonNull(itemStore, "itemStore");
            Objects.requireNonNull(itemIdStore, "itemIdStore");
            Objects.requireNonNull(deadlineStore, "deadlineStore");
            Objects.requireNonNull(expiryStore, "expiryStore");
            Objects.requireNonNull(revisionStore, "revisionStore");
            Objects.requireNonNull(batchResultsSink, "batchResultsSink");
            Objects.requireNonNull(deadLetterSink, "deadLetterSink");
            Objects.requireNonNull(controlSink, "controlSink");
            Objects.requireNonNull(chainSink, "chainSink");
            Objects.requireNonNull(batchesSink, "batchesSink");
            jobSinks = Map.copyOf(jobSinks);
            if (!jobSinks.keySet().containsAll(EnumSet.allOf(Lane.class))) {
                throw new IllegalArgumentException("jobSinks needs a sink for every lane, was " + jobSinks.keySet());
            }
            Objects.requireNonNull(punctuationInterval, "punctuationInterval");
            Objects.requireNonNull(revisionInterval, "revisionInterval");
            Objects.requireNonNull(itemRetention, "itemRetention");
            if (retentionChunk < 1) {
                throw new IllegalArgumentException("retentionChunk must be >= 1, was " + retentionChunk);
            }
        }
    }

    private final Wiring wiring;
    private final AggregatorMetrics metrics;
    private final ChainTopics chainTopics;
    private final LiveTimelines timelines;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, BatchState> batches;
    private ItemStore items;
    private Deadlines deadlines;
    private Decisions decisions;
    private Compensations compensations;
    private Retention retention;
    private Revisions revisions;

    public AggregatorProcessor(Wiring wiring, AggregatorMetrics metrics, ChainTopics chainTopics,
            LiveTimelines timelines) {
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.chainTopics = Objects.requireNonNull(chainTopics, "chainTopics");
        this.timelines = Objects.requireNonNull(timelines, "timelines");
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.batches = context.getStateStore(wiring.batchStore());
        this.items = new ItemStore(context.getStateStore(wiring.itemStore()),
                context.getStateStore(wiring.itemIdStore()), timelines);
        this.deadlines = new Deadlines(context.getStateStore(wiring.deadlineStore()));
        this.compensations = new Compensations(context, wiring, items, metrics);
        this.decisions = new Decisions(context, wiring, items, chainTopics, compensations, metrics);
        this.retention = new Retention(new Deadlines(context.getStateStore(wiring.expiryStore())), items, batches,
                decisions, metrics, wiring.itemRetention(), wiring.retentionChunk());
        this.revisions = new Revisions(context.getStateStore(wiring.revisionStore()), batches, deadlines,
                this::decide);
        context.schedule(wiring.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        context.schedule(wiring.revisionInterval(), PunctuationType.WALL_CLOCK_TIME, revisions::publishDue);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a source record has no topic metadata"));
        if (source.topic().equals(wiring.resultsTopic())) {
            decode(record, source, ItemResult.class, ItemResult::batchId).ifPresent(this::onResult);
        } else if (source.topic().equals(wiring.batchesTopic())) {
            decode(record, source, BatchDefinition.class, BatchDefinition::batchId).ifPresent(this::onDefinition);
        } else {
            throw new IllegalStateException("the aggregator does not read topic " + source.topic());
        }
    }

    private void onResult(ItemResult result) {
        metrics.results().mark();
        String batchId = result.batchId();
        ItemOutcome previous = items.get(batchId, result.index());
        BatchState stored = batches.get(batchId);
        ResultRules.Effect effect = ResultRules.effectOf(result, previous, stored);
        BatchState state = stored == null ? new BatchState() : stored;
        switch (effect) {
            case COUNT -> {
                items.add(result);
                state.count(result.isLate() ? ResultRules.timedOutPart(result) : result);
            }
            case REPLACE -> {
                items.replace(result);
                state.replace(previous, result.index(), result);
            }
            case FAILED_AGAIN -> {
                ItemOutcome updated = previous.withFailedReplay(result);
                items.update(result.itemKey(), updated);
                state.failedAgain(previous, updated, result);
                log.debug("item {}: its replay of {} failed again ({}); the batch's counts stay",
                        result.itemKey().asString(), result.replayOf(), result.reason());
            }
            case ATTACH_LATE -> {
                items.update(result.itemKey(), attachLate(previous, result));
                metrics.lateResults().inc();
                return;
            }
            case DUPLICATE, ITEMS_REMOVED, UNMATCHED_REPLAY -> {
                ignore(result, effect);
                return;
            }
        }
        if (result.isLate()) {
            metrics.lateResults().inc();
        }
        if (state.isDecided() && result.status().isSuccess()) {
            compensations.onSuccess(batchId, state, result.index(), context.currentSystemTimeMs());
        }
        if (ResultRules.revises(result, effect)) {
            metrics.replays().inc();
            if (state.isDecided()) {
                state.markRevisionDue();
            }
        }
        decideIfDue(batchId, state);
        batches.put(batchId, state);
    }

    /**
     * The outcome with a late supplement attached; without its output when the stored outcome would then be over the
     * record size limit (the supplement fitted in a record, but the outcome also keeps the timeout's error).
     */
    private static ItemOutcome attachLate(ItemOutcome outcome, ItemResult late) {
        ItemOutcome attached = outcome.withLate(late.output(), late.error());
        int size = Envelopes.encode(attached).length;
        if (size <= BatchResults.MAX_RECORD_BYTES) {
            return attached;
        }
        log.warn("item {}: with its late output its stored outcome would be {} bytes, over the {}-byte limit; the"
                + " late output is not kept", late.itemKey().asString(), size, BatchResults.MAX_RECORD_BYTES);
        return outcome.withLate(null, late.error());
    }

    private void ignore(ItemResult result, ResultRules.Effect effect) {
        metrics.duplicates().inc();
        String item = result.itemKey().asString();
        if (result.replayOf() != null && effect != ResultRules.Effect.DUPLICATE) {
            log.warn("ignoring the result of the replay of {} for item {} ({}): {}", result.replayOf(), item,
                    result.status(), effect == ResultRules.Effect.ITEMS_REMOVED
                            ? "its batch's items were removed after the retention period"
                            : "the aggregator never saw this item, and its batch is unknown or has every item"
                                    + " counted");
        } else if (effect == ResultRules.Effect.ITEMS_REMOVED) {
            log.debug("ignoring a result for item {}: its batch's items were removed after the retention period",
                    item);
        } else {
            log.debug("ignoring a second result for item {} (status {}{})", item, result.status(),
                    result.replayOf() == null ? "" : ", a replay of " + result.replayOf());
        }
    }

    private void onDefinition(BatchDefinition definition) {
        String batchId = definition.batchId();
        BatchState state = load(batchId);
        BatchDefinition previous = state.definition();
        if (!state.adopt(definition)) {
            log.debug("batch {}: definition unchanged or would unseal it; kept the current one", batchId);
            return;
        }
        if (!state.isDecided()) {
            deadlines.reschedule(batchId, previous, state.definition());
            prepareChainTopics(state.definition().policy());
        }
        decideIfDue(batchId, state);
        batches.put(batchId, state);
    }

    private void prepareChainTopics(BatchPolicy policy) {
        if (policy.onSuccess() != null) {
            chainTopics.prepare(policy.onSuccess().topic());
        }
        if (policy.onError() != null) {
            chainTopics.prepare(policy.onError().topic());
        }
    }

    /**
     * Decides an undecided batch if its policy allows it now; marks a decided one whose revision is due (replays, or
     * settling) for the next revision punctuation.
     */
    private void decideIfDue(String batchId, BatchState state) {
        long nowMs = context.currentSystemTimeMs();
        if (!state.isDecided()) {
            DecisionRules.evaluate(state.definition(), state.tally())
                    .ifPresent(verdict -> decide(batchId, state, verdict, null, nowMs, false));
        } else {
            revisions.markIfDue(batchId, state, nowMs);
        }
    }

    private void punctuate(long nowMs) {
        decideOverdue(nowMs);
        retention.expire(nowMs);
    }

    /** Decides every undecided batch, and revises every batch with a revision due, whose total timeout has passed. */
    private void decideOverdue(long nowMs) {
        for (Deadlines.Due due : deadlines.due(nowMs)) {
            deadlines.remove(due);
            BatchState state = batches.get(due.batchId());
            if (state == null || state.definition() == null) {
                continue;
            }
            OptionalLong deadline = Deadlines.deadlineOf(state.definition());
            if (deadline.isEmpty() || deadline.getAsLong() > nowMs) {
                continue; // an entry of an older definition; the current one has its own entry
            }
            if (state.isDecided()) {
                if (revisions.revise(due.batchId(), state, nowMs)) {
                    batches.put(due.batchId(), state);
                }
                continue;
            }
            decide(due.batchId(), state, DecisionRules.onTotalTimeout(state.definition(), state.tally()), null,
                    nowMs, true);
            batches.put(due.batchId(), state);
        }
    }

    private void decide(String batchId, BatchState state, Verdict verdict, String note, long nowMs,
            boolean byTotalTimeout) {
        Instant previous = state.decidedAt();
        decisions.publish(batchId, state, verdict, note, nowMs, byTotalTimeout);
        deadlines.cancel(batchId, state.definition());
        retention.schedule(batchId, previous, state.decidedAt());
    }

    /**
     * Decodes a value and checks that the record is keyed by the envelope's batchId (a record keyed otherwise may sit
     * on a partition whose task never sees the rest of its batch). Invalid records are dead-lettered.
     */
    private <T> Optional<T> decode(Record<byte[], byte[]> record, RecordMetadata source, Class<T> type,
            Function<T, String> batchIdOf) {
        try {
            T envelope = Envelopes.decode(record.value(), type);
            String batchId = batchIdOf.apply(envelope);
            if (record.key() == null) {
                throw new PoisonRecordException(FailureReason.POISON,
                        "the record has no key; it must be keyed by its batchId '" + batchId + "'");
            }
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!key.equals(batchId)) {
                throw new PoisonRecordException(FailureReason.POISON,
                        "the record key '" + key + "' does not match its batchId '" + batchId + "'");
            }
            return Optional.of(envelope);
        } catch (PoisonRecordException e) {
            metrics.poison().inc();
            log.warn("{} record at {}-{}@{} is not a valid {} ({}); sent to the dead-letter topic", e.reason(),
                    source.topic(), source.partition(), source.offset(), type.getSimpleName(), e.getMessage());
            context.forward(DeadLetters.poison(record, source, e), wiring.deadLetterSink());
            return Optional.empty();
        }
    }

    private BatchState load(String batchId) {
        BatchState state = batches.get(batchId);
        return state == null ? new BatchState() : state;
    }

    /** The task closes (a rebalance, a restart, a rollback): the timelines kept from its store are rebuilt by scan. */
    @Override
    public void close() {
        timelines.forgetAll();
    }
}
