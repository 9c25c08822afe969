package dev.fanout.dispatcher.internal;

import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchException;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.DispatchOptions;
import dev.fanout.dispatcher.DispatchProgress;
import dev.fanout.dispatcher.DispatchRefusedException;
import dev.fanout.dispatcher.DispatchResult;
import dev.fanout.dispatcher.HandlerNames;
import dev.fanout.dispatcher.InvalidItemException;
import dev.fanout.dispatcher.InvalidItemPolicy;
import dev.fanout.dispatcher.ItemSource;
import dev.fanout.dispatcher.RejectedItems;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dispatch of one batch. {@link #prepare()} runs on the caller's thread: it refuses a batch that exists (unless
 * resuming), reads a resumed batch's earlier results, checks the lane's capacity when told not to wait, and
 * registers the definition. {@link #start()} then publishes on a thread of its own: each item is read, checked, held
 * back by the window ({@code maxConcurrency}), the lane's capacity and the pacing, published, and at the end the
 * batch is sealed with its total. The {@link ResultFollower} reports results and the decision meanwhile.
 */
public final class BatchRun {

    private static final Logger log = LoggerFactory.getLogger(BatchRun.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    private final DispatchServices services;
    private final BatchSpec spec;
    private final ItemSource items;
    private final DispatchOptions options;
    private final boolean idGiven;
    private final String topic;
    private final Pacer pacer;
    private final JobEncoding encoding = new JobEncoding();
    private final CompletableFuture<DispatchResult> published = new CompletableFuture<>();
    private final CompletableFuture<BatchResult> result = new CompletableFuture<>();
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final Callback onAck;
    private final Callback onCancelAck = (metadata, error) -> {
        if (error != null) {
            sendError.compareAndSet(null, error);
        }
    };
    private Instant startedAt;
    private BatchDefinition definition;
    private boolean resuming;
    private ResultFollower follower;
    private CapacityGate gate;
    private HandlerNames handlerNames;
    private Thread thread;
    private boolean waitedForThisItem;
    private volatile DispatchProgress.State state = DispatchProgress.State.PUBLISHING;
    private volatile String waitingFor;
    private volatile Long total;
    private volatile long sent;
    private volatile long alreadyDone;
    private volatile RejectedItems rejected = RejectedItems.none();
    private volatile boolean stopRequested;

    /**
     * @param spec    the batch, with its id assigned
     * @param idGiven whether the user chose the id (then an existing batch of that id is looked for)
     */
    public BatchRun(DispatchServices services, BatchSpec spec, ItemSource items, DispatchOptions options,
            boolean idGiven) {
        this.services = services;
        this.spec = spec;
        this.items = items;
        this.options = options;
        this.idGiven = idGiven;
        this.topic = services.kafka().topics().jobs(spec.priority()).name();
        this.pacer = Pacer.of(spec, services.clock(), services.sleeper());
        this.onAck = (metadata, error) -> {
            if (error != null) {
                sendError.compareAndSet(null, error);
            } else {
                acknowledged.incrementAndGet();
                services.published().mark();
            }
        };
    }

    public String batchId() {
        return spec.batchId();
    }

    public CompletableFuture<DispatchResult> published() {
        return published;
    }

    public CompletableFuture<BatchResult> result() {
        return result;
    }

    /**
     * Checks and registers the batch.
     *
     * @throws DispatchRefusedException if the batch exists (without resume), does not match a resume, is decided
     *                                  already, or the lane is full and the dispatch must not wait
     */
    public void prepare() {
        // the handler names the items are checked against: read before the batch is registered, so that nothing
        // between its registration and its first job waits on the worker registry
        handlerNames = services.handlers().namesFor(spec.priority());
        startedAt = services.clock().instant();
        Registration registration = Registration.register(services, spec, items.size(), options, idGiven, startedAt);
        definition = registration.definition();
        resuming = registration.resuming();
        total = registration.total();
        gate = registration.gate();
        follower = registration.follower();
        follower.decision().whenComplete((decision, error) -> {
            if (error == null) {
                result.complete(decision);
            } else {
                result.completeExceptionally(error);
            }
        });
    }

    /** Publishes on a new thread; {@link #published()} completes when the batch is sealed. */
    public void start() {
        thread = Thread.ofPlatform().name("fanout-dispatch-" + batchId()).start(this::run);
    }

    /** Stops publishing at the next item; the batch stays unsealed and can be resumed. */
    public void stop() {
        stopRequested = true;
        Thread running = thread;
        if (running != null && running != Thread.currentThread()) {
            running.interrupt();
        }
    }

    /** Stops publishing and following; futures not yet complete are cancelled. */
    public void close() {
        stop();
        Thread running = thread;
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(JOIN_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (follower != null) {
            follower.close();
        }
        CancellationException closed = new CancellationException("the dispatch of batch " + batchId() + " was closed");
        published.completeExceptionally(closed);
        result.completeExceptionally(closed);
    }

    public DispatchProgress progress() {
        boolean decided = result.isDone() && !result.isCompletedExceptionally();
        ResultFollower counts = follower;
        Instant now = services.clock().instant();
        return new DispatchProgress(batchId(), decided ? DispatchProgress.State.DECIDED : state, waitingFor, total,
                sent, acknowledged.get(), alreadyDone, counts == null ? 0 : counts.succeeded(),
                counts == null ? 0 : counts.failed(), rejected.count(), startedAt == null ? now : startedAt, now);
    }

    private void run() {
        try {
            DispatchResult done = publishAll();
            state = done.outcome() == DispatchResult.Outcome.SEALED
                    ? DispatchProgress.State.SEALED : DispatchProgress.State.DECIDED;
            published.complete(done);
            follower.stopWhenDecided();
        } catch (InvalidItemException e) {
            fail(cancelAfter(e));
        } catch (InterruptedException | InterruptException e) {
            stopped();
        } catch (RuntimeException e) {
            if (stopRequested) {
                stopped();
            } else {
                fail(e);
            }
        } finally {
            waitingFor = null;
            closeSource();
        }
    }

    private DispatchResult publishAll() throws InterruptedException {
        ItemPlanner planner = new ItemPlanner(spec, handlerNames);
        long index = 0;
        long neverPublished = 0;
        while (true) {
            checkRunning();
            ItemPlanner.Planned planned;
            try {
                DispatchItem item = items.next();
                if (item == null) {
                    break;
                }
                checkWithinTotal(index);
                planned = planner.plan(index, item, total, now(), items::position);
            } catch (InvalidItemException e) {
                if (options.onInvalidItem() == InvalidItemPolicy.FAIL) {
                    throw e;
                }
                rejected = rejected.plus(e.position());
                log.debug("batch {}: skipped an invalid item: {}", batchId(), e.getMessage());
                continue;
            }
            long current = index++;
            if (follower.isDone(current)) {
                alreadyDone++;
                continue;
            }
            if (!result.isDone() && awaitRoom()) {
                planned = planner.restamp(planned, now());
            }
            checkRunning();
            if (!follower.markSent(current)) {
                alreadyDone++;
                continue;
            }
            if (result.isDone()) {
                // decided early (fail_fast, race): the rest is not run, but still counted, so the batch settles
                neverPublished++;
                services.producer().send(NeverPublished.cancelled(services.kafka().topics(), planned.job(),
                        services.clock().instant()), onCancelAck);
                continue;
            }
            send(planned);
        }
        services.producer().flush();
        checkSendError();
        DispatchResult sealed = seal(index);
        if (neverPublished == 0) {
            return sealed;
        }
        log.info("batch {}: decided after {} items were published; the other {} were recorded cancelled",
                batchId(), sent, neverPublished);
        return new DispatchResult(batchId(), sealed.total(), spec.priority(), topic, sealed.took(), sent, alreadyDone,
                rejected, DispatchResult.Outcome.DECIDED_EARLY);
    }

    private DispatchResult seal(long count) {
        OptionalLong size = items.size();
        if (resuming && definition.total() != null && count != definition.total()) {
            throw DispatchRefusedException.resumeMismatch(batchId(), String.format(Locale.ROOT, "it has %,d items"
                    + " and the input has %,d; resume with the same input", definition.total(), count));
        }
        if (size.isPresent() && size.getAsLong() != count) {
            throw new IllegalStateException("the source announced " + size.getAsLong() + " items but gave " + count);
        }
        if (!definition.sealed()) {
            Acks.publish(services.producer(), services.kafka().topics().batches().name(), batchId(),
                    Envelopes.encode(definition.seal(count)));
        }
        total = count;
        Duration took = Duration.between(startedAt, services.clock().instant());
        log.info("batch {}: {} items published to {} and sealed with {} in {} ms", batchId(), sent, topic, count,
                took.toMillis());
        return new DispatchResult(batchId(), count, spec.priority(), topic, took, sent, alreadyDone, rejected,
                DispatchResult.Outcome.SEALED);
    }

    /** Holds the item back for the window, the lane's capacity and the pacing; returns whether it waited. */
    private boolean awaitRoom() throws InterruptedException {
        waitedForThisItem = false;
        Integer limit = spec.maxConcurrency();
        if (limit != null && follower.outstanding() >= limit) {
            onWait(String.format(Locale.ROOT, "%s %d: %d items of the batch are published and have no result yet",
                    BatchSpec.MAX_CONCURRENCY, limit, follower.outstanding()));
            follower.awaitOutstandingBelow(limit, () -> !stopRequested && !result.isDone());
        }
        if (gate != null && !gate.awaitRoom(options.waitForCapacity(), this::onWait)) {
            throw DispatchRefusedException.noCapacity(batchId(), topic, gate.lastBacklog(), gate.maxSize(), sent);
        }
        pacer.awaitTurn(this::onWait);
        if (waitedForThisItem) {
            waitingFor = null;
            state = DispatchProgress.State.PUBLISHING;
        }
        return waitedForThisItem;
    }

    /** Job timestamps are kept to the millisecond. */
    private Instant now() {
        return services.clock().instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private void onWait(String reason) {
        waitedForThisItem = true;
        waitingFor = reason;
        state = DispatchProgress.State.WAITING;
    }

    private void send(ItemPlanner.Planned planned) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, planned.key(), encoding.encode(planned.job()));
        FanoutHeaders.putIdentity(record.headers(), planned.job());
        services.producer().send(record, onAck);
        sent++;
        pacer.onSent();
        if (gate != null) {
            gate.onPublished();
        }
    }

    private void checkWithinTotal(long index) {
        if (total == null || index < total) {
            return;
        }
        if (resuming) {
            throw DispatchRefusedException.resumeMismatch(batchId(), String.format(Locale.ROOT, "it has %,d items"
                    + " and the input has more; resume with the same input", total));
        }
        throw new IllegalStateException("the source announced " + total + " items but gave more");
    }

    private void checkRunning() throws InterruptedException {
        checkSendError();
        if (stopRequested || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("stopped");
        }
    }

    private void checkSendError() {
        Exception error = sendError.get();
        if (error != null) {
            throw new DispatchException("publishing items of batch " + batchId() + " failed: " + error.getMessage()
                    + "; dispatch it again with --resume after fixing the cause", error);
        }
    }

    private InvalidItemException cancelAfter(InvalidItemException error) {
        rejected = rejected.plus(error.position());
        try {
            services.producer().flush();
            ControlSignal cancel = new ControlSignal(Envelopes.SCHEMA_VERSION, batchId(), ControlSignal.Action.CANCEL,
                    "invalid item: " + error.getMessage(), services.clock().instant());
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(services.kafka().topics().control().name(),
                    batchId(), Envelopes.encode(cancel));
            FanoutHeaders.put(record.headers(), FanoutHeaders.BATCH_ID, batchId());
            Acks.publish(services.producer(), record);
        } catch (RuntimeException e) {
            log.warn("batch {}: could not send its cancel signal: {}", batchId(), e.toString());
            error.addSuppressed(e);
        }
        return InvalidItemException.stoppedAt(error, batchId(), sent, rejected);
    }

    private void stopped() {
        state = DispatchProgress.State.STOPPED;
        CancellationException stop = new CancellationException(String.format(Locale.ROOT, "publishing batch %s was"
                + " stopped after %,d items; it is not sealed: dispatch it again with --resume to go on", batchId(),
                sent));
        published.completeExceptionally(stop);
        result.completeExceptionally(stop);
        follower.close();
    }

    private void fail(RuntimeException error) {
        state = DispatchProgress.State.FAILED;
        log.debug("batch {}: publishing failed after {} items: {}", batchId(), sent, error.getMessage());
        published.completeExceptionally(error);
        result.completeExceptionally(error);
        follower.close();
    }

    private void closeSource() {
        try {
            items.close();
        } catch (RuntimeException e) {
            log.warn("batch {}: closing its item source failed: {}", batchId(), e.toString());
        }
    }
}
