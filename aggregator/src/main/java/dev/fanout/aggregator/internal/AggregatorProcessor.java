package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.AggregatorMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemKey;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.protocol.Strategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans item results back in per batch and decides each batch once. Reads batch definitions and item results (raw
 * bytes keyed by batchId), counts each item's first result, decides as soon as {@link DecisionRules} allow, and decides
 * undecided batches whose total timeout passed from a wall-clock punctuator. Records that are not valid envelopes go
 * to the dead-letter sink with their raw bytes; processing goes on.
 */
public final class AggregatorProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(AggregatorProcessor.class);

    /** Where everything this processor needs lives: topic, store and sink names, and its tuning. */
    public record Wiring(
            String batchesTopic,
            String resultsTopic,
            String batchStore,
            String itemStore,
            String deadlineStore,
            String batchResultsSink,
            String deadLetterSink,
            Duration punctuationInterval) {

        public Wiring {
            Objects.requireNonNull(batchesTopic, "batchesTopic");
            Objects.requireNonNull(resultsTopic, "resultsTopic");
            Objects.requireNonNull(batchStore, "batchStore");
            Objects.requireNonNull(itemStore, "itemStore");
            Objects.requireNonNull(deadlineStore, "deadlineStore");
            Objects.requireNonNull(batchResultsSink, "batchResultsSink");
            Objects.requireNonNull(deadLetterSink, "deadLetterSink");
            Objects.requireNonNull(punctuationInterval, "punctuationInterval");
        }
    }

    private final Wiring wiring;
    private final AggregatorMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, BatchState> batches;
    private KeyValueStore<String, ItemOutcome> items;
    private Deadlines deadlines;

    public AggregatorProcessor(Wiring wiring, AggregatorMetrics metrics) {
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.batches = context.getStateStore(wiring.batchStore());
        this.items = context.getStateStore(wiring.itemStore());
        this.deadlines = new Deadlines(context.getStateStore(wiring.deadlineStore()));
        context.schedule(wiring.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, this::decideOverdue);
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
        String itemKey = result.itemKey().asString();
        if (items.get(itemKey) != null) {
            metrics.duplicates().inc();
            log.debug("ignoring a second result for item {} (status {})", itemKey, result.status());
            return;
        }
        items.put(itemKey, ItemOutcome.of(result));
        BatchState state = load(result.batchId());
        state.count(result);
        decideIfDue(result.batchId(), state);
        batches.put(result.batchId(), state);
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
            decideIfDue(batchId, state);
        }
        batches.put(batchId, state);
    }

    private void decideIfDue(String batchId, BatchState state) {
        if (state.isDecided()) {
            return;
        }
        DecisionRules.evaluate(state.definition(), state.tally())
                .ifPresent(verdict -> decide(batchId, state, verdict, context.currentSystemTimeMs()));
    }

    /** The wall-clock punctuator: decides every undecided batch whose total timeout has passed. */
    private void decideOverdue(long nowMs) {
        for (Deadlines.Due due : deadlines.due(nowMs)) {
            deadlines.remove(due);
            BatchState state = batches.get(due.batchId());
            if (state == null || state.isDecided() || state.definition() == null) {
                continue;
            }
            OptionalLong deadline = Deadlines.deadlineOf(state.definition());
            if (deadline.isEmpty() || deadline.getAsLong() > nowMs) {
                continue; // an entry of an older definition; the current one has its own entry
            }
            decide(due.batchId(), state, DecisionRules.onTotalTimeout(state.definition(), state.tally()), nowMs);
            batches.put(due.batchId(), state);
        }
    }

    private void decide(String batchId, BatchState state, Verdict verdict, long nowMs) {
        Instant decidedAt = Instant.ofEpochMilli(nowMs);
        state.decide(verdict.status(), decidedAt);
        deadlines.cancel(batchId, state.definition());
        BatchResult result = BatchResults.of(batchId, state, verdict, decidedAt, winnerOutput(batchId, state));
        Headers headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.BATCH_ID, batchId);
        FanoutHeaders.put(headers, FanoutHeaders.SCHEMA_VERSION, Envelopes.SCHEMA_VERSION);
        context.forward(new Record<>(utf8(batchId), Envelopes.encode(result), nowMs, headers),
                wiring.batchResultsSink());
        metrics.batchesDecided().inc();
        log.debug("batch {} decided {} (revision {}): {}", batchId, result.status(), result.revision(),
                result.reason());
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

    /** The race winner's output, from the item store (batch state stays small whatever the outputs). */
    private JsonNode winnerOutput(String batchId, BatchState state) {
        if (state.winnerIndex() == null || state.definition().policy().strategy() != Strategy.RACE) {
            return null;
        }
        ItemOutcome winner = items.get(new ItemKey(batchId, state.winnerIndex()).asString());
        return winner == null ? null : winner.output();
    }

    private BatchState load(String batchId) {
        BatchState state = batches.get(batchId);
        return state == null ? new BatchState() : state;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
