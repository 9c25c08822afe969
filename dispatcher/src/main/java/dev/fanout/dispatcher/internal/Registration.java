package dev.fanout.dispatcher.internal;

import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchException;
import dev.fanout.dispatcher.DispatchOptions;
import dev.fanout.dispatcher.DispatchRefusedException;
import dev.fanout.protocol.BatchDefinition;
import dev.fanout.protocol.Envelopes;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The start of a dispatch, on the caller's thread: a batch id that exists is refused (unless resuming), a resume is
 * checked against the registered batch and reads its earlier results, a full lane refuses a dispatch that must not
 * wait, and a new batch's definition is registered. Nothing of the batch is published before all of that passed.
 *
 * @param definition the batch's definition: the registered one when resuming
 * @param resuming   whether the batch existed
 * @param total      the batch's item count when known
 * @param follower   following the batch's results from its start (from the beginning when resuming)
 * @param gate       the lane's capacity gate, or {@code null} without {@code queue.maxSize}
 */
public record Registration(BatchDefinition definition, boolean resuming, Long total, ResultFollower follower,
        CapacityGate gate) {

    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

    /**
     * @param idGiven whether the user chose the batch id (a generated one is new by construction)
     * @throws DispatchRefusedException when the dispatch must not go on
     */
    public static Registration register(DispatchServices services, BatchSpec spec, OptionalLong size,
            DispatchOptions options, boolean idGiven, Instant startedAt) {
        String batchId = spec.batchId();
        Optional<BatchDefinition> existing = idGiven || options.resume()
                ? BatchLog.latestDefinition(services.kafka(), batchId) : Optional.empty();
        BatchDefinition definition;
        Long total;
        if (existing.isPresent()) {
            definition = existing.get();
            if (!options.resume()) {
                throw DispatchRefusedException.batchExists(batchId, describe(definition));
            }
            checkResumable(spec, definition, size);
            total = definition.total() != null ? definition.total() : size.isPresent() ? size.getAsLong() : null;
        } else {
            total = size.isPresent() ? size.getAsLong() : null;
            definition = new BatchDefinition(Envelopes.SCHEMA_VERSION, batchId, spec.handler(), total, false,
                    spec.policy(), spec.priority(), startedAt);
        }
        boolean resuming = existing.isPresent();
        ResultFollower follower = ResultFollower.start(services.kafka(), batchId, resuming);
        try {
            if (resuming) {
                follower.awaitCaughtUp(CATCH_UP_TIMEOUT);
                if (follower.decision().isDone() && !follower.decision().isCompletedExceptionally()) {
                    throw DispatchRefusedException.alreadyDecided(batchId,
                            follower.decision().join().status().toString());
                }
            }
            CapacityGate gate = capacityGate(services, spec, options);
            if (!resuming) {
                Acks.publish(services.producer(), services.kafka().topics().batches().name(), batchId,
                        Envelopes.encode(definition));
            }
            return new Registration(definition, resuming, total, follower, gate);
        } catch (InterruptedException e) {
            follower.close();
            Thread.currentThread().interrupt();
            throw new DispatchException("interrupted while registering batch " + batchId, e);
        } catch (RuntimeException e) {
            follower.close();
            throw e;
        }
    }

    private static CapacityGate capacityGate(DispatchServices services, BatchSpec spec, DispatchOptions options)
            throws InterruptedException {
        Long maxSize = spec.queue().maxSize();
        if (maxSize == null) {
            return null;
        }
        String topic = services.kafka().topics().jobs(spec.priority()).name();
        String group = LaneBacklog.workerGroup(services.kafka());
        CapacityGate gate = new CapacityGate(maxSize, () -> services.backlog().of(topic, group),
                topic + " (worker group " + group + ")", services.clock(), services.sleeper());
        if (!options.waitForCapacity() && !gate.awaitRoom(false, reason -> { })) {
            throw DispatchRefusedException.noCapacity(spec.batchId(), topic, gate.lastBacklog(), maxSize, 0);
        }
        return gate;
    }

    private static void checkResumable(BatchSpec spec, BatchDefinition found, OptionalLong size) {
        if (found.lane() != spec.priority()) {
            throw DispatchRefusedException.resumeMismatch(spec.batchId(), "it was dispatched to lane "
                    + found.lane().id() + " and the batch file says priority " + spec.priority().id()
                    + "; resume with the same priority");
        }
        if (found.total() != null && size.isPresent() && size.getAsLong() != found.total()) {
            throw DispatchRefusedException.resumeMismatch(spec.batchId(), String.format(Locale.ROOT,
                    "it has %,d items and the input has %,d; resume with the same input", found.total(),
                    size.getAsLong()));
        }
    }

    private static String describe(BatchDefinition found) {
        return "registered at " + found.createdAt()
                + (found.sealed() ? String.format(Locale.ROOT, ", sealed with %,d items", found.total()) : ", not sealed");
    }
}
