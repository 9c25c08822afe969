package dev.fanout.dispatcher.internal;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.Readers;
import dev.fanout.dispatcher.DispatchException;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.protocol.ResultHeaders;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one batch on the results and batch-results topics (both keyed by batch id, so one partition each) on its
 * own thread: which items have a result (the first per index counts, as in the aggregator), how many succeeded and
 * failed, how many of the items this dispatch published are still outstanding, and the batch's first decision.
 * The publishing thread asks it whether an item is done and waits on it for window room. Results are counted from
 * their {@link ResultHeaders} (index and status), so following a batch does not decode its results.
 */
public final class ResultFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultFollower.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long WAIT_SLICE_MS = 200;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String batchId;
    private final TopicPartition results;
    private final TopicPartition decisions;
    private final Map<TopicPartition, Long> startEnds = new HashMap<>();
    private final CompletableFuture<BatchResult> decision = new CompletableFuture<>();
    private final Thread thread;
    private final IndexSet done = new IndexSet();
    private final boolean resuming;
    /** Resumes only: the indexes this dispatch published (a new batch's are 0 up to {@link #sentCount}). */
    private final IndexSet sent = new IndexSet();
    private final AtomicLong sentCount = new AtomicLong();
    private volatile long completedSent;
    private long succeeded;
    private long failed;
    private boolean caughtUp;
    private Throwable failure;
    private volatile boolean running = true;
    private volatile boolean stopWhenDecided;

    private ResultFollower(KafkaSettings kafka, String batchId, boolean fromBeginning) {
        this.batchId = batchId;
        this.resuming = fromBeginning;
        this.consumer = BatchPartition.consumer(kafka, "fanout-dispatcher-follow-" + batchId);
        try {
            results = BatchPartition.of(consumer, kafka.topics().results().name(), batchId);
            decisions = BatchPartition.of(consumer, kafka.topics().batchResults().name(), batchId);
            List<TopicPartition> both = List.of(results, decisions);
            consumer.assign(both);
            startEnds.putAll(consumer.endOffsets(both));
            if (fromBeginning) {
                consumer.seekToBeginning(both);
            } else {
                both.forEach(partition -> consumer.seek(partition, startEnds.get(partition)));
            }
        } catch (RuntimeException e) {
            Readers.close(consumer);
            throw e;
        }
        this.thread = Thread.ofPlatform().daemon().name("fanout-follow-" + batchId).unstarted(this::loop);
    }

    /**
     * Starts following.
     *
     * @param fromBeginning read the batch's earlier results and decisions too (a resume); otherwise only what
     *                      arrives from now on
     */
    public static ResultFollower start(KafkaSettings kafka, String batchId, boolean fromBeginning) {
        ResultFollower follower = new ResultFollower(kafka, batchId, fromBeginning);
        follower.thread.start();
        return follower;
    }

    /** The batch's first decision; completes exceptionally if following fails. */
    public CompletableFuture<BatchResult> decision() {
        return decision;
    }

    /** Waits until everything that was on the topics at the start has been read. */
    public synchronized void awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp) {
            checkHealthy();
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new DispatchException("reading the earlier results of batch " + batchId + " took longer than "
                        + timeout, null);
            }
            wait(Math.min(left, WAIT_SLICE_MS));
        }
    }

    /**
     * Whether the item has a result. Without a lock for the items of a new batch that this dispatch has not published
     * yet (none of them has a result): the publishing thread asks about every item.
     */
    public boolean isDone(long index) {
        if (!resuming && index >= sentCount.get()) {
            return false;
        }
        synchronized (this) {
            return done.contains(index);
        }
    }

    /**
     * Records that the item is about to be published, unless it has a result already.
     *
     * @return false if the item has a result (a resume leaves it out)
     */
    public boolean markSent(long index) {
        if (!resuming) {
            // a new batch's items are published in index order, each once: 0 up to sentCount are the sent ones
            sentCount.incrementAndGet();
            return true;
        }
        synchronized (this) {
            if (done.contains(index)) {
                return false;
            }
            sent.add(index);
            sentCount.incrementAndGet();
            return true;
        }
    }

    /** Items this dispatch published that have no result yet. */
    public long outstanding() {
        return sentCount.get() - completedSent;
    }

    /**
     * Waits until fewer than {@code limit} published items are without a result.
     *
     * @param keepWaiting asked between waits; false gives up
     * @return whether there is room (false: gave up)
     */
    public synchronized boolean awaitOutstandingBelow(long limit, BooleanSupplier keepWaiting)
            throws InterruptedException {
        while (sentCount.get() - completedSent >= limit) {
            checkHealthy();
            if (!keepWaiting.getAsBoolean()) {
                return false;
            }
            wait(WAIT_SLICE_MS);
        }
        return true;
    }

    public synchronized long succeeded() {
        return succeeded;
    }

    public synchronized long failed() {
        return failed;
    }

    /** Publishing is over: stop as soon as the decision is in (at once if it is). */
    public void stopWhenDecided() {
        stopWhenDecided = true;
        if (decision.isDone()) {
            close();
        }
    }

    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() != thread) {
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        try {
            while (running) {
                accept(consumer.poll(POLL));
                checkCaughtUp();
                if (stopWhenDecided && decision.isDone()) {
                    running = false;
                }
            }
        } catch (WakeupException e) {
            log.debug("batch {}: stopped following results", batchId);
        } catch (RuntimeException e) {
            log.debug("batch {}: following results failed: {}", batchId, e.toString());
            synchronized (this) {
                failure = e;
                notifyAll();
            }
            decision.completeExceptionally(e);
        } finally {
            Readers.close(consumer);
        }
    }

    /**
     * Counts a poll's results under one lock rather than one per record, each from its headers when it has them,
     * and takes the first decision.
     */
    private void accept(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        boolean completed = false;
        synchronized (this) {
            for (ConsumerRecord<String, byte[]> record : records.records(results)) {
                if (batchId.equals(record.key())) {
                    completed |= onResult(record);
                }
            }
            if (completed) {
                notifyAll();
            }
        }
        for (ConsumerRecord<String, byte[]> record : records.records(decisions)) {
            if (batchId.equals(record.key()) && !decision.isDone()) {
                decode(record, BatchResult.class).ifPresent(decision::complete);
            }
        }
    }

    /** Counts the item's first result; returns whether it was one this dispatch published. */
    private boolean onResult(ConsumerRecord<String, byte[]> record) {
        Optional<ResultHeaders.Summary> summary = ResultHeaders.summary(record.headers());
        if (summary.isEmpty()) {
            summary = decode(record, ItemResult.class)
                    .map(result -> new ResultHeaders.Summary(result.index(), result.status()));
        }
        if (summary.isEmpty() || !done.add(summary.get().index())) {
            return false; // invalid, or a redelivered item's second result: the first one counts
        }
        if (summary.get().status().isSuccess()) {
            succeeded++;
        } else {
            failed++;
        }
        long index = summary.get().index();
        if (resuming ? sent.contains(index) : index < sentCount.get()) {
            completedSent++;
            return true;
        }
        return false;
    }

    private <T> Optional<T> decode(ConsumerRecord<String, byte[]> record, Class<T> type) {
        try {
            return Optional.of(Envelopes.decode(record.value(), type));
        } catch (PoisonRecordException e) {
            log.warn("batch {}: skipping an invalid record at {}-{}@{}: {}", batchId, record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    private void checkCaughtUp() {
        if (caughtUp) {
            return;
        }
        boolean all = startEnds.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        if (all) {
            synchronized (this) {
                caughtUp = true;
                notifyAll();
            }
        }
    }

    private void checkHealthy() {
        if (failure != null) {
            throw new DispatchException("following the results of batch " + batchId + " failed: " + failure, failure);
        }
        if (!running && !thread.isAlive()) {
            throw new DispatchException("stopped following the results of batch " + batchId, null);
        }
    }
}
