package dev.fanout.worker.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-group counterpart of {@link PollLoop}: one platform thread that owns a share consumer (KIP-932, explicit
 * acknowledgement) on the lanes configured with {@code group: share}, and hands what it acquires to the same
 * pipeline (scheduler, limits, handler, retries, dead letters, results). Each record is acknowledged only once what
 * ends it is durable ({@link ShareAcks}): {@code ACCEPT} for a recorded outcome or deferral, {@code REJECT} for a dead
 * letter, {@code RELEASE} for a retry the broker redelivers.
 *
 * <p>Kafka's explicit mode requires every record of a poll to be acknowledged before the next poll, so the loop
 * polls a batch, acknowledges its records as they finish (sending the acknowledgements at once), and polls again
 * when the whole batch is acknowledged, or when half the acquisition lock has passed: then the records still running
 * are renewed ({@code RENEW}) and come back in a later poll. On stop it drains what it runs for at most the drain
 * timeout (short retry waits hand their next attempt to a retry tier) and closes the consumer, which releases
 * whatever is still unacknowledged to the other workers.
 */
public final class ShareLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ShareLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long the loop waits for an item to finish before it re-checks the renewal time. */
    private static final long WAIT_MILLIS = 50;
    private static final int DEFAULT_LOCK_MILLIS = 30_000;

    private final ShareConsumer<String, byte[]> consumer;
    private final List<String> topics;
    private final PollLoop.RecordSink sink;
    private final RetryWaits waits;
    private final int deliveryLimit;
    private final Duration drainTimeout;
    private final ShareAcks acks = new ShareAcks();
    private final BlockingQueue<ShareAcks.Finished> finished = new LinkedBlockingQueue<>();
    private final Map<ShareAcks.Key, Boolean> running = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;

    /**
     * @param consumer      a share consumer in explicit acknowledgement mode, used only by this loop's thread
     * @param topics        the jobs topics of the share lanes
     * @param waits         short retry waits: ended on stop, so their items hand off to a retry tier
     * @param deliveryLimit the group's {@code share.delivery.count.limit}: a record on its last delivery is never
     *                      released (the broker would archive it); its retries go through a retry tier
     */
    public ShareLoop(ShareConsumer<String, byte[]> consumer, Collection<String> topics, PollLoop.RecordSink sink,
            RetryWaits waits, int deliveryLimit, Duration drainTimeout) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topics = List.copyOf(topics);
        this.sink = Objects.requireNonNull(sink, "sink");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.deliveryLimit = deliveryLimit;
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics);
            while (!stopping && fatal.get() == null) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                long polledAt = System.nanoTime();
                for (ConsumerRecord<String, byte[]> record : records) {
                    receive(record);
                }
                acks.acknowledgeReturned(consumer); // renewed records whose items finished meanwhile
                long renewAt = polledAt + TimeUnit.MILLISECONDS.toNanos(lockMillis() / 2);
                while (acks.awaiting() > 0 && !stopping && fatal.get() == null) {
                    settle(WAIT_MILLIS);
                    if (System.nanoTime() >= renewAt) {
                        acks.renewRunning(consumer); // they come back in a later poll
                    }
                }
            }
        } catch (RuntimeException e) {
            fatal.compareAndSet(null, e);
            log.error("share-group loop failed; its unacknowledged records go back to the other workers", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown();
        }
    }

    /** Asks the loop to drain and stop; returns at once (the loop never blocks longer than a poll). */
    public void stop() {
        stopping = true;
    }

    /** Completes when the loop has drained and closed its consumer. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** The error that stopped the loop, if any. */
    public Throwable failure() {
        return fatal.get();
    }

    /** Records acquired whose outcome is not yet durable. */
    public int unfinished() {
        return running.size();
    }

    private void receive(ConsumerRecord<String, byte[]> record) {
        ShareAcks.Key key = ShareAcks.Key.of(record);
        if (!acks.received(record)) {
            return; // renewed (or redelivered to this worker) while its item still runs
        }
        running.put(key, Boolean.TRUE);
        int deliveries = record.deliveryCount().map(Short::intValue).orElse(1);
        RetryRoute retries = deliveries < deliveryLimit ? RetryRoute.BROKER : RetryRoute.TIER;
        sink.submit(new TrackedRecord(record, deliveries, retries, disposition -> {
            running.remove(key);
            finished.add(new ShareAcks.Finished(key, disposition));
        }, error -> {
            running.remove(key);
            if (fatal.compareAndSet(null, error)) {
                log.error("could not publish the outcome of {}-{}@{}; stopping so the record is delivered again",
                        record.topic(), record.partition(), record.offset(), error);
            }
        }));
    }

    /** Acknowledges what finished, waiting up to {@code millis} for the first; sends the acknowledgements at once. */
    private void settle(long millis) throws InterruptedException {
        ShareAcks.Finished first = finished.poll(millis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        int sent = acks.finished(consumer, first) ? 1 : 0;
        for (ShareAcks.Finished next = finished.poll(); next != null; next = finished.poll()) {
            sent += acks.finished(consumer, next) ? 1 : 0;
        }
        if (sent > 0) {
            consumer.commitAsync();
        }
    }

    private int lockMillis() {
        return consumer.acquisitionLockTimeoutMs().orElse(DEFAULT_LOCK_MILLIS);
    }

    private void shutdown() {
        try {
            if (fatal.get() == null) {
                drain();
            }
        } catch (RuntimeException e) {
            log.warn("share-group loop shutdown: {}", e.toString());
        } finally {
            try {
                consumer.close(); // commits what was acknowledged and releases the rest
            } catch (RuntimeException e) {
                log.warn("closing the share consumer: {}", e.toString());
            } finally {
                stopped.complete(null);
            }
        }
    }

    /** Waits up to the drain timeout for the items running, acknowledging each as it finishes. */
    private void drain() {
        Set<TopicPartition> partitions = running.keySet().stream().map(ShareAcks.Key::partition)
                .collect(Collectors.toSet());
        waits.handOff(partitions);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                settle(WAIT_MILLIS);
            }
            settle(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!running.isEmpty()) {
            log.warn("drain timeout {} passed with {} share-lane items unfinished; they go back to the other workers",
                    drainTimeout, running.size());
        }
    }
}
