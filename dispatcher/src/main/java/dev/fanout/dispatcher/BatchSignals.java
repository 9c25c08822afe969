package dev.fanout.dispatcher;

import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.dispatcher.internal.BatchLog;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Pauses, resumes and cancels batches: publishes a {@link ControlSignal} to the compacted control topic, keyed by the
 * batch id, with an idempotent {@code acks=all} producer, and returns once the broker has acknowledged it. Workers
 * read that topic in full, and the latest signal of a batch is the one in force.
 *
 * <p>Before sending, it checks that the batch is registered (its partition of the batches topic), reads the signal in
 * force (the control topic, committed records only) and, for a pause or a cancel, the batch's decision. It refuses a
 * pause or a resume of a cancelled batch, which would lift the cancel. Thread-safe.
 *
 * <pre>{@code
 * try (BatchSignals signals = BatchSignals.create(kafka, InstantSource.system())) {
 *     SignalReceipt sent = signals.pause("orders-7", "the payment service is down");
 *     signals.resume("orders-7", "back up");
 * }
 * }</pre>
 */
public final class BatchSignals implements AutoCloseable {

    /** How long a call waits for Kafka (reachability, reads, the acknowledgement) unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The longest reason a signal carries. */
    public static final int MAX_REASON_CHARS = 1_000;
    public static final String REASON = "reason";

    private final KafkaSettings kafka;
    private final Supplier<Producer<String, byte[]>> producers;
    private final boolean ownsProducer;
    private final InstantSource clock;
    private final Duration timeout;
    private Producer<String, byte[]> producer;
    private boolean closed;

    /** Signals over a producer someone else owns (a {@link Dispatcher}'s); {@link #close()} leaves it open. */
    BatchSignals(KafkaSettings kafka, Producer<String, byte[]> shared, InstantSource clock, Duration timeout) {
        this(kafka, always(shared), false, clock, timeout);
    }

    private BatchSignals(KafkaSettings kafka, Supplier<Producer<String, byte[]>> producers, boolean ownsProducer,
            InstantSource clock, Duration timeout) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.producers = producers;
        this.ownsProducer = ownsProducer;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = checkTimeout(timeout);
    }

    /** Signals with a producer of their own, waiting at most {@link #DEFAULT_TIMEOUT} for Kafka. */
    public static BatchSignals create(KafkaSettings kafka, InstantSource clock) {
        return create(kafka, clock, DEFAULT_TIMEOUT);
    }

    /**
     * Signals with a producer of their own.
     *
     * @param timeout how long each step waits for Kafka: reaching it, and the acknowledgement of the signal
     */
    public static BatchSignals create(KafkaSettings kafka, InstantSource clock, Duration timeout) {
        int millis = (int) checkTimeout(timeout).toMillis();
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "fanout-signals");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(millis, 30_000));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        // made at the first signal that passes the checks, so a refused one never connects a producer
        return new BatchSignals(kafka, () -> new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer()), true, clock, timeout);
    }

    /** Asks workers to hold the batch's items that have not started, until it is resumed or cancelled. */
    public SignalReceipt pause(String batchId, String reason) {
        return send(batchId, ControlSignal.Action.PAUSE, reason);
    }

    /** Lets workers run the batch's items again after a pause. */
    public SignalReceipt resume(String batchId, String reason) {
        return send(batchId, ControlSignal.Action.RESUME, reason);
    }

    /** Asks workers to record the batch's items that have not started {@code CANCELLED} instead of running them. */
    public SignalReceipt cancel(String batchId, String reason) {
        return send(batchId, ControlSignal.Action.CANCEL, reason);
    }

    /**
     * Publishes a signal and waits for the broker's acknowledgement.
     *
     * @param reason why, carried with the signal (a cancel's reason ends up in the cancelled items' results), or
     *               {@code null}
     * @throws ConfigException          a blank or malformed batch id, or a blank or too long reason
     * @throws SignalRefusedException   the batch is unknown, or cancelled and the signal is not a cancel
     * @throws DispatchException        Kafka could not be reached or did not take the signal
     */
    public SignalReceipt send(String batchId, ControlSignal.Action action, String reason) {
        checkBatchId(batchId);
        Objects.requireNonNull(action, "action");
        checkReason(reason);
        Topics topics = kafka.topics();
        Set<String> existing = checkRegistered(batchId, topics);
        ControlSignal previous = BatchLog.latest(kafka, topics.control().name(), batchId, ControlSignal.class)
                .orElse(null);
        if (previous != null && previous.action() == ControlSignal.Action.CANCEL
                && action != ControlSignal.Action.CANCEL) {
            throw SignalRefusedException.cancelled(batchId, action.id(), previous.at().toString(), previous.reason());
        }
        boolean lookUpDecision = action != ControlSignal.Action.RESUME
                && existing.contains(topics.batchResults().name());
        BatchStatus decided = lookUpDecision
                ? BatchLog.latest(kafka, topics.batchResults().name(), batchId, BatchResult.class)
                        .map(BatchResult::status).orElse(null)
                : null;
        ControlSignal signal = new ControlSignal(Envelopes.SCHEMA_VERSION, batchId, action, reason, clock.instant());
        RecordMetadata metadata = publish(topics.control().name(), signal);
        return new SignalReceipt(signal, metadata.topic(), metadata.partition(), metadata.offset(), previous, decided);
    }

    /** The signal in force for the batch now (committed records only), if any. */
    public Optional<ControlSignal> inForce(String batchId) {
        checkBatchId(batchId);
        String control = kafka.topics().control().name();
        return topicNames().contains(control)
                ? BatchLog.latest(kafka, control, batchId, ControlSignal.class)
                : Optional.empty();
    }

    /** Checks that the batch is registered; returns the cluster's topic names. */
    private Set<String> checkRegistered(String batchId, Topics topics) {
        Set<String> existing = topicNames();
        String batches = topics.batches().name();
        if (!existing.contains(batches)) {
            throw SignalRefusedException.unknownBatch(batchId, batches, false);
        }
        if (!existing.contains(topics.control().name())) {
            createControlTopic(topics);
        }
        if (BatchLog.latestDefinition(kafka, batchId).isEmpty()) {
            throw SignalRefusedException.unknownBatch(batchId, batches, true);
        }
        return existing;
    }

    /** The cluster's topic names: the first call that reaches Kafka, so an unreachable one fails within the timeout. */
    private Set<String> topicNames() {
        Map<String, Object> props = kafka.clientProperties();
        int millis = (int) timeout.toMillis();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "fanout-signals-admin");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(millis, 30_000));
        try (Admin admin = Admin.create(props)) {
            // a little longer than the admin's own timeout, so its more precise error is the one reported
            return admin.listTopics().names().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new DispatchException("cannot reach Kafka at " + kafka.bootstrapServers() + " within "
                    + Durations.format(timeout) + " (" + rootMessage(e) + "); check --bootstrap-servers and that the"
                    + " brokers are up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while reaching Kafka at " + kafka.bootstrapServers(), e);
        }
    }

    /** Creates the control topic (compacted), so a signal never lands on a topic the broker made with its defaults. */
    private void createControlTopic(Topics topics) {
        try {
            TopicInitializer.ensure(kafka, List.of(topics.control()));
        } catch (ConfigException e) {
            throw new DispatchException(e.getMessage(), e);
        }
    }

    private RecordMetadata publish(String topic, ControlSignal signal) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, signal.batchId(), Envelopes.encode(signal));
        FanoutHeaders.put(record.headers(), FanoutHeaders.BATCH_ID, signal.batchId());
        try {
            return producer().send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new DispatchException("Kafka did not take the " + signal.action().id() + " signal of batch "
                    + signal.batchId() + " on " + topic + ": " + rootMessage(e), e.getCause());
        } catch (TimeoutException e) {
            throw new DispatchException("no acknowledgement of the " + signal.action().id() + " signal of batch "
                    + signal.batchId() + " from " + topic + " within " + Durations.format(timeout) + "; it may still"
                    + " arrive: check with the workers' logs before sending it again", e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new DispatchException("cannot reach Kafka at " + kafka.bootstrapServers() + " to send the "
                    + signal.action().id() + " signal of batch " + signal.batchId() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while sending the " + signal.action().id() + " signal of batch "
                    + signal.batchId(), e);
        }
    }

    private static Supplier<Producer<String, byte[]>> always(Producer<String, byte[]> shared) {
        Objects.requireNonNull(shared, "shared");
        return () -> shared;
    }

    private static Duration checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigException("timeout must be a duration from 1ms to 24d such as 30s, was "
                    + Durations.format(timeout));
        }
        return timeout;
    }

    private static void checkBatchId(String batchId) {
        if (batchId == null || batchId.isBlank()) {
            throw new ConfigException("the batch id is blank: give the id of a dispatched batch (fanout dispatch"
                    + " prints it)");
        }
        if (!batchId.matches(BatchSpec.BATCH_ID_PATTERN)) {
            throw new ConfigException("batchId may hold 1 to 128 letters, digits, '.', '_' and '-', was '" + batchId
                    + "'");
        }
    }

    private static void checkReason(String reason) {
        if (reason == null) {
            return;
        }
        if (reason.isBlank()) {
            throw new ConfigException(REASON + " must not be blank; leave it out to send no reason");
        }
        if (reason.length() > MAX_REASON_CHARS) {
            throw new ConfigException(REASON + " may hold at most " + MAX_REASON_CHARS + " characters, was "
                    + reason.length());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + (root.getMessage() == null ? "no answer" : root.getMessage());
    }

    /** Closes the producer if these signals own it (not when they share a {@link Dispatcher}'s). */
    @Override
    public synchronized void close() {
        closed = true;
        if (ownsProducer && producer != null) {
            producer.close(timeout);
        }
    }

    private synchronized Producer<String, byte[]> producer() {
        if (closed) {
            throw new IllegalStateException("these batch signals are closed");
        }
        if (producer == null) {
            producer = producers.get();
        }
        return producer;
    }
}
