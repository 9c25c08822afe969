package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.WorkerStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a worker's {@link WorkerStatus} to the registry topic every interval, and a tombstone when the worker
 * stops cleanly. A failed publish is logged once per run of failures and tried again at the next beat: the registry
 * is advisory, so it never stops the worker.
 */
public final class Heartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String workerId;
    private final Duration interval;
    private final Supplier<WorkerStatus> status;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    public Heartbeat(KafkaSettings kafka, String workerId, Duration interval, Supplier<WorkerStatus> status) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, workerId + "-registry");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topic = kafka.topics().workers().name();
        this.workerId = workerId;
        this.interval = interval;
        this.status = status;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("fanout-heartbeat-" + workerId).factory());
    }

    /** Publishes the first entry now and one every interval after. */
    public void start() {
        timer.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            producer.send(new ProducerRecord<>(topic, workerId, Envelopes.encode(status.get())), (metadata, error) -> {
                if (error != null && !failing) {
                    failing = true;
                    log.warn("worker {}: cannot publish to the worker registry {} ({}); retrying every {}", workerId,
                            topic, error.toString(), interval);
                } else if (error == null && failing) {
                    failing = false;
                    log.info("worker {}: publishing to the worker registry again", workerId);
                }
            });
        } catch (RuntimeException e) {
            log.warn("worker {}: heartbeat failed ({})", workerId, e.toString());
        }
    }

    /** Stops beating and removes the worker's entry (a tombstone), waiting at most a few seconds for the broker. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            producer.send(new ProducerRecord<>(topic, workerId, null)).get(CLOSE_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("worker {}: could not remove its registry entry ({}); it will show as gone after {} missed"
                    + " heartbeats", workerId, e.toString(), WorkerStatus.GONE_AFTER_HEARTBEATS);
        } finally {
            producer.close(CLOSE_TIMEOUT);
        }
    }
}
