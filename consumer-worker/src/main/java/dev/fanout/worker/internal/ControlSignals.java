package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import java.time.Duration;
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
 */
public final class ControlSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlSignals.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, ControlSignal> inForce = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long position = -1;
    private volatile long lastRelease = -1;

    public ControlSignals(KafkaSettings kafka, String workerId) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-control");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the aggregator writes its cancels in transactions: one from an aborted transaction must not count
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : pollOrWait()) {
                    apply(record);
                }
                if (caughtUp.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException closing) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("following control signals failed; cancellations will not be seen until restart", e);
        } finally {
            caughtUp.countDown();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * One poll; an error other than closing is logged and retried after a second from the same position, so the
     * worker never goes on with signals that silently stopped moving.
     */
    private Iterable<ConsumerRecord<String, byte[]>> pollOrWait() {
        try {
            return consumer.poll(Duration.ofMillis(500));
        } catch (WakeupException closing) {
            throw closing;
        } catch (RuntimeException e) {
            log.warn("reading control signals failed ({}); retrying in 1 s", e.toString());
            try {
                Thread.sleep(1_000); // a retry backoff on the follower's own thread
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                running = false;
            }
            return List.of();
        }
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
