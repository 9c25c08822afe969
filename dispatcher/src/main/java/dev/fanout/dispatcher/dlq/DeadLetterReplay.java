package dev.fanout.dispatcher.dlq;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.Sleeper;
import dev.fanout.dispatcher.internal.Pacer;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Republishes dead letters ({@code fanout dlq replay}). Dead letters go in the dead-letter topic's order (partition
 * by partition, by offset; one key's dead letters share a partition, so a key's order is kept) through one
 * idempotent producer, paced to {@code --rate}. Each one is recorded in the {@link ReplayLedger} once its replayed
 * record is acknowledged, so a second run skips it unless forced. Not thread-safe: one per run.
 */
public final class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);
    private static final long METADATA_TIMEOUT_S = 30;

    private final KafkaSettings kafka;
    private final InstantSource clock;
    private final Sleeper sleeper;

    public DeadLetterReplay(KafkaSettings kafka, InstantSource clock, Sleeper sleeper) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    public static DeadLetterReplay of(KafkaSettings kafka) {
        return new DeadLetterReplay(kafka, InstantSource.system(), Sleeper.system());
    }

    /** The dead letters a run would replay, in order, and how every other one is skipped. */
    public Plan plan(ReplayOptions options) {
        ReplayLedger ledger = new ReplayLedger(kafka);
        ledger.ensureTopic();
        Set<String> done = options.force() ? Set.of() : ledger.replayed();
        List<DeadLetter> selected = new ArrayList<>();
        long[] skipped = new long[5]; // scanned, already, filtered, over limit, no target
        DeadLetterReader.of(kafka).scan(letter -> {
            skipped[0]++;
            if (!options.filter().matches(letter)) {
                skipped[2]++;
            } else if (done.contains(letter.coordinates())) {
                skipped[1]++;
            } else if (ReplayRecords.target(letter, options).isEmpty()) {
                skipped[4]++;
            } else if (options.limit() != null && selected.size() >= options.limit()) {
                skipped[3]++;
            } else {
                selected.add(letter);
            }
        });
        return new Plan(List.copyOf(selected), new ReplaySummary(options.dryRun(), skipped[0], selected.size(),
                skipped[1], skipped[2], skipped[3], skipped[4]));
    }

    /**
     * Runs a replay.
     *
     * @param onReplayed told the count of records acknowledged so far, and of those to replay, after each one
     * @throws ReplayFailedException when a record cannot be written; what was acknowledged before is in the ledger
     */
    public ReplaySummary run(ReplayOptions options, Progress onReplayed) throws InterruptedException {
        Plan plan = plan(options);
        if (options.dryRun() || plan.letters().isEmpty()) {
            return plan.summary();
        }
        requireTargets(plan.letters(), options);
        onReplayed.replayed(0, plan.letters().size());
        ReplayLedger ledger = new ReplayLedger(kafka);
        Pacer pacer = new Pacer(null, null, options.ratePerSecond(), clock, sleeper);
        Deque<Pending> pending = new ArrayDeque<>();
        Outcome outcome = new Outcome();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (DeadLetter letter : plan.letters()) {
                pacer.awaitTurn(reason -> log.debug("replay waits: {}", reason));
                String target = ReplayRecords.target(letter, options).orElseThrow();
                pending.add(new Pending(letter, target, producer.send(ReplayRecords.of(letter, target, options))));
                pacer.onSent();
                record(pending, ledger, producer, false, outcome, plan.letters().size(), onReplayed);
            }
            producer.flush();
            record(pending, ledger, producer, true, outcome, plan.letters().size(), onReplayed);
            producer.flush();
            outcome.checkLedger();
        }
        outcome.checkSends();
        log.info("replayed {} dead letters from {}", outcome.acknowledged, DeadLetterReader.of(kafka).topic());
        return plan.summary();
    }

    /** What a replay run sent: acknowledged replays, failed ones, and the ledger writes to check at the end. */
    private static final class Outcome {
        private long acknowledged;
        private final List<String> failures = new ArrayList<>();
        private Throwable firstFailure;
        private final List<Future<RecordMetadata>> ledgerWrites = new ArrayList<>();

        void checkLedger() throws InterruptedException {
            long unrecorded = 0;
            Throwable cause = null;
            for (Future<RecordMetadata> write : ledgerWrites) {
                try {
                    write.get();
                } catch (ExecutionException e) {
                    unrecorded++;
                    cause = cause == null ? e.getCause() : cause;
                }
            }
            if (unrecorded > 0) {
                throw new ReplayFailedException(acknowledged + " dead letters were replayed but " + unrecorded
                        + " of them could not be recorded in the ledger (" + cause.getMessage() + "); a rerun"
                        + " without --force would send those again", cause);
            }
        }

        void checkSends() {
            if (!failures.isEmpty()) {
                throw new ReplayFailedException(acknowledged + " dead letters were replayed and recorded; "
                        + failures.size() + " could not be written, the first: " + failures.get(0)
                        + ". A rerun sends only those", firstFailure);
            }
        }
    }

    /**
     * Writes the ledger entries of the acknowledged records at the head of {@code pending}, in order. A record that
     * could not be written is noted and the others go on: each acknowledged one gets its ledger entry.
     */
    private void record(Deque<Pending> pending, ReplayLedger ledger, KafkaProducer<byte[], byte[]> producer,
            boolean wait, Outcome outcome, long total, Progress onReplayed) throws InterruptedException {
        while (!pending.isEmpty() && (wait || pending.peek().result().isDone())) {
            Pending head = pending.poll();
            RecordMetadata sent;
            try {
                sent = head.result().get();
            } catch (ExecutionException e) {
                outcome.failures.add(head.letter().coordinates() + " to " + head.target() + " ("
                        + e.getCause().getMessage() + ")");
                outcome.firstFailure = outcome.firstFailure == null ? e.getCause() : outcome.firstFailure;
                continue;
            }
            outcome.ledgerWrites.add(producer.send(
                    ledger.entry(head.letter(), sent.topic(), sent.partition(), sent.offset(), clock.instant())));
            outcome.acknowledged++;
            onReplayed.replayed(outcome.acknowledged, total);
        }
    }

    /** Fails before sending anything when a target topic does not exist (a producer would wait for it a minute). */
    private void requireTargets(List<DeadLetter> letters, ReplayOptions options) throws InterruptedException {
        Set<String> targets = new java.util.TreeSet<>();
        letters.forEach(letter -> targets.add(ReplayRecords.target(letter, options).orElseThrow()));
        Set<String> existing;
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            existing = admin.listTopics().names().get(METADATA_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ReplayFailedException("cannot list the topics of " + kafka.bootstrapServers() + " ("
                    + e + "); nothing was replayed", e);
        }
        targets.removeAll(existing);
        if (!targets.isEmpty()) {
            throw new ReplayFailedException("target topic(s) " + targets + " do not exist; create them or pass --to"
                    + " TOPIC; nothing was replayed", null);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "fanout-dlq-replay");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * What a run would do.
     *
     * @param letters the dead letters to replay, in order
     * @param summary the counts, {@code replayed} being {@code letters.size()}
     */
    public record Plan(List<DeadLetter> letters, ReplaySummary summary) {
    }

    /** Told {@code (0, total)} before the first record is sent, then after each replayed record is acknowledged. */
    @FunctionalInterface
    public interface Progress {
        void replayed(long done, long total);
    }

    private record Pending(DeadLetter letter, String target, Future<RecordMetadata> result) {
    }

    /** A replayed record could not be written; the message says how far the run got. */
    public static final class ReplayFailedException extends RuntimeException {
        ReplayFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
