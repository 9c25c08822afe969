package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an idle worker's poll loop that a record has come ({@link IdleSleep}): on its own thread and its own consumer
 * (no group, {@code read_committed}), it waits for a record on any of a set of partitions from given offsets, with a
 * long fetch wait ({@value #FETCH_MAX_WAIT_MS} ms, where the worker group's consumer waits 50 ms at most), so the
 * broker holds each fetch until a record arrives or the wait ends. It fetches at most one record's batch per
 * partition and only looks whether one came: the poll loop fetches the records itself once woken.
 */
public final class RecordWatch implements AutoCloseable {

    /** How long the broker may hold a watch's fetch that found nothing: one fetch per 5 s while a worker idles. */
    static final int FETCH_MAX_WAIT_MS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(RecordWatch.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    /** Partitions to watch from these offsets, and whom to tell when a record comes. */
    private record Watch(Map<TopicPartition, Long> from, Runnable onRecord) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Object lock = new Object();
    private final AtomicReference<Watch> current = new AtomicReference<>();
    private volatile boolean running = true;

    public RecordWatch(KafkaSettings kafka, String workerId) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-watch");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1); // the broker still sends one record batch
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().daemon().name("fanout-watch-" + workerId).unstarted(this::run);
    }

    /**
     * Watches the partitions from the given offsets (each the next one the caller would read), replacing any watch;
     * {@code onRecord} runs once, on the watch's thread, when a record comes on any of them or the watch fails.
     */
    void watch(Map<TopicPartition, Long> from, Runnable onRecord) {
        current.set(new Watch(Map.copyOf(from), onRecord));
        synchronized (lock) {
            if (thread.getState() == Thread.State.NEW) {
                thread.start();
            }
            lock.notifyAll();
        }
        consumer.wakeup(); // ends a poll of an earlier watch at once
    }

    /** Stops watching; {@code onRecord} of the watch will not run. */
    void cancel() {
        current.set(null);
    }

    private void run() {
        Watch active = null;
        try {
            while (running) {
                Watch watch = current.get();
                try {
                    if (watch == null) {
                        if (active != null) {
                            consumer.assign(List.of());
                            active = null;
                        }
                        synchronized (lock) {
                            while (running && current.get() == null) {
                                lock.wait();
                            }
                        }
                        continue;
                    }
                    if (watch != active) {
                        consumer.assign(watch.from().keySet());
                        watch.from().forEach(consumer::seek);
                        active = watch;
                    }
                    if (!consumer.poll(POLL).isEmpty() && current.compareAndSet(watch, null)) {
                        watch.onRecord().run();
                    }
                } catch (WakeupException next) {
                    // a new watch, or closing: go round
                } catch (RuntimeException e) {
                    log.warn("watching for records failed ({}); the idle poll loop wakes and fetches itself",
                            e.toString());
                    active = null;
                    if (watch != null && current.compareAndSet(watch, null)) {
                        watch.onRecord().run();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // its own thread: it ends
            Watch watch = current.getAndSet(null);
            if (watch != null) {
                watch.onRecord().run();
            }
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    @Override
    public void close() {
        running = false;
        current.set(null);
        synchronized (lock) {
            if (thread.getState() == Thread.State.NEW) {
                consumer.close(Duration.ZERO); // never started: nothing uses the consumer
                return;
            }
            lock.notifyAll();
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
