package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.ops.Check;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.fanout.protocol.FanoutHeaders;
import org.apache.kafka.common.header.Headers;

/**
 * The control signals in force, read from the compacted control topic in full (no consumer group) and followed
 * while the worker runs, so a worker that starts late still learns every signal still in force. The latest signal per
 * batch wins; a tombstone withdraws it. Items of a cancelled batch that have not started are recorded
 * {@code CANCELLED} and not run; items of a paused batch are parked until it resumes or is cancelled.
 *
 * <p>The control topic has one partition, so its offsets order every signal for every worker: a parked item records
 * the offset its worker had read when it parked it ({@link #position()}), and a parking-topic reader knows whether a
 * release (resume, cancel or withdrawal) has come since ({@link #lastRelease()}).
 *
 * <p>An error while following (the broker unreachable, the topic gone) is retried from the last record applied, with
 * a backoff from 0.5 s doubling to 30 s; {@link #health} turns failing when no read has succeeded for a while, so the
 * worker is reported unhealthy instead of going on with signals that silently stopped moving. Both run on the
 * worker's clock (a backoff re-reads it at least every {@value RetryWaits#RECHECK_MILLIS} ms).
 */
public final class ControlSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlSignals.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final InstantSource clock;
    private final Map<String, ControlSignal> inForce = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Instant> failingSince = new AtomicReference<>();
    private volatile String lastError = "";
    private volatile Map<TopicPartition, Long> endAtStart;
    private volatile boolean following = true;
    private volatile boolean running = true;
    private volatile long position = -1;
    private volatile long lastRelease = -1;

    public ControlSignals(KafkaSettings kafka, String workerId, InstantSource clock) {
        this.clock = clock;
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-control");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the aggregator writes its cancels in transactions: one from an aborted transaction must not count
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a signal ends a held fetch at once, so a long wait delays nothing; it spares the idle fetches
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, RecordWatch.FETCH_MAX_WAIT_MS);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = kafka.topics().control().name();
        this.thread = Thread.ofPlatform().daemon().name("fanout-control-" + workerId).unstarted(() -> follow(topic));
    }

    /** Starts following and waits, at most {@code timeout}, until every signal already published is read. */
    public ControlSignals start(Duration timeout) throws InterruptedException {
        thread.start();
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("control signals not read to the end within {}; signals published before this worker may"
                    + " take effect late", timeout);
        }
        return this;
    }

    /**
     * Whether the batch's items must not run. A job replayed from the dead-letter queue (it carries
     * {@code fanout.replay-of}) runs even so: replaying is an explicit request to run it again, made after the cancel.
     */
    public boolean isCancelled(String batchId, Headers headers) {
        return isCancelled(batchId) && headers.lastHeader(FanoutHeaders.REPLAY_OF) == null;
    }

    public boolean isCancelled(String batchId) {
        ControlSignal signal = inForce.get(batchId);
        return signal != null && signal.action() == ControlSignal.Action.CANCEL;
    }

    public boolean isPaused(String batchId) {
        ControlSignal signal = inForce.get(batchId);
        return signal != null && signal.action() == ControlSignal.Action.PAUSE;
    }

    /** The offset of the last control record applied, or -1 before any. */
    public long position() {
        return position;
    }

    /** The offset of the last signal that released paused items (resume, cancel, withdrawal), or -1. */
    public long lastRelease() {
        return lastRelease;
    }

    /** The reason given with the batch's signal, or a default. */
    public String reason(String batchId) {
        ControlSignal signal = inForce.get(batchId);
        return signal == null || signal.reason() == null ? "the batch was cancelled" : signal.reason();
    }

    private void follow(String topic) {
        Duration backoff = FIRST_BACKOFF;
        try {
            while (running) {
                try {
                    resume(topic);
                    while (running) {
                        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                        records.forEach(this::apply);
                        recovered();
                        backoff = FIRST_BACKOFF;
                        if (caughtUp.getCount() > 0 && endAtStart.entrySet().stream()
                                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                            caughtUp.countDown();
                        }
                    }
                } catch (WakeupException closing) {
                    return;
                } catch (RuntimeException e) {
                    failed(e, backoff);
                    if (stopRequestedWithin(backoff)) {
                        return;
                    }
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt(); // the follower's own thread: it ends, and health says so
            failingSince.compareAndSet(null, clock.instant());
            lastError = "the control follower was interrupted";
        } finally {
            following = false;
            // nothing to commit or leave (no group), so nothing to wait for: a close with a timeout waited behind the
            // fetch the broker was holding (up to its 5 s wait) and made every worker's shutdown that much longer
            consumer.close(Duration.ZERO);
        }
    }

    /** Waits out a backoff on the worker's clock; true if {@link #close} came first. */
    private boolean stopRequestedWithin(Duration backoff) throws InterruptedException {
        Instant until = clock.instant().plus(backoff);
        while (clock.instant().isBefore(until)) {
            long left = Duration.between(clock.instant(), until).toMillis() + 1;
            if (stop.await(Math.min(left, RetryWaits.RECHECK_MILLIS), TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** (Re)assigns the topic and goes on after the last record applied, or from the beginning the first time. */
    private void resume(String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("the control topic " + topic + " does not exist");
        }
        consumer.assign(partitions);
        if (position < 0) {
            consumer.seekToBeginning(partitions);
        } else {
            partitions.forEach(partition -> consumer.seek(partition, position + 1));
        }
        if (endAtStart == null) {
            endAtStart = consumer.endOffsets(partitions);
        }
    }

    private void failed(RuntimeException e, Duration backoff) {
        boolean first = failingSince.compareAndSet(null, clock.instant());
        lastError = "the last read failed; the worker's log has the error"; // served on /healthz: no exception text
        if (first) {
            log.warn("reading control signals failed ({}); retrying with backoff (first in {}); pause and cancel"
                    + " signals take effect once it recovers", e.toString(), backoff);
        } else {
            log.debug("reading control signals failed again ({}); retrying in {}", e.toString(), backoff);
        }
    }

    private void recovered() {
        Instant since = failingSince.getAndSet(null);
        if (since != null) {
            log.info("reading control signals again (failing since {})", since);
        }
    }

    /**
     * Whether signals are being followed: failing when the follower has ended, or has failed without a successful
     * read for longer than {@code grace}; the reason names the last error.
     */
    public Check health(Duration grace) {
        if (!following && running) {
            return Check.failing("the control-topic follower has stopped (" + lastError
                    + "); pause and cancel signals are not seen");
        }
        Instant since = failingSince.get();
        if (since != null && Duration.between(since, clock.instant()).compareTo(grace) > 0) {
            return Check.failing("cannot read the control topic since " + since + " (" + lastError
                    + "); pause and cancel signals are not seen");
        }
        return Check.ok();
    }

    /** Whether every signal published before this worker started has been read. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                inForce.remove(record.key());
                lastRelease = record.offset();
                return;
            }
            ControlSignal signal = Envelopes.decode(record.value(), ControlSignal.class);
            ControlSignal before = inForce.put(record.key(), signal);
            if (signal.action() != ControlSignal.Action.PAUSE) {
                lastRelease = record.offset();
            }
            if (before == null || before.action() != signal.action()) {
                log.info("batch {}: {} signal in force{}", signal.batchId(), signal.action().id(),
                        signal.reason() == null ? "" : " (" + signal.reason() + ")");
            }
        } catch (PoisonRecordException e) {
            log.warn("ignoring an invalid control signal at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        } finally {
            position = record.offset();
        }
    }

    @Override
    public void close() {
        running = false;
        stop.countDown();
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO); // never started: nothing follows the topic, close the consumer here
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
