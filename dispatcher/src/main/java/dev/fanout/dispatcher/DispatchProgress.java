package dev.fanout.dispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of one dispatch: what was published, what the workers finished (read from the results topic), and
 * what the dispatcher is waiting for. Immutable.
 *
 * @param state        where the dispatch is
 * @param waitingFor   why publishing is paused ({@code maxConcurrency}, pacing, {@code queue.maxSize}), or
 *                     {@code null} when it is not
 * @param total        the batch's item count when known (a file's, or a stream's once sealed), or {@code null}
 * @param published    items handed to the producer by this dispatch
 * @param acknowledged items the broker acknowledged
 * @param alreadyDone  items a resume left out because they had a result already
 * @param succeeded    items with a first result that succeeded (this dispatch's and, on resume, earlier ones)
 * @param failed       items with a first result that did not succeed
 * @param rejected     invalid items left out or stopped at
 * @param startedAt    when the dispatch started
 * @param at           when this snapshot was taken
 */
public record DispatchProgress(String batchId, State state, String waitingFor, Long total, long published,
        long acknowledged, long alreadyDone, long succeeded, long failed, long rejected, Instant startedAt,
        Instant at) {

    /** Where a dispatch is. */
    public enum State {
        /** Publishing items. */
        PUBLISHING,
        /** Publishing is paused: see {@link #waitingFor()}. */
        WAITING,
        /** Every item is published and the batch is sealed; results are still coming in. */
        SEALED,
        /** The batch has its decision. */
        DECIDED,
        /** Publishing was stopped ({@link BatchHandle#stop()}); the batch is not sealed and can be resumed. */
        STOPPED,
        /** Publishing failed (Kafka error, invalid item, no capacity); the batch is not sealed. */
        FAILED;

        /** Whether publishing is over (sealed, decided, stopped or failed). */
        public boolean publishingOver() {
            return this != PUBLISHING && this != WAITING;
        }
    }

    /** Items with a result: succeeded plus failed. */
    public long finished() {
        return succeeded + failed;
    }

    public OptionalLong totalIfKnown() {
        return total == null ? OptionalLong.empty() : OptionalLong.of(total);
    }

    public Optional<String> waitingReason() {
        return Optional.ofNullable(waitingFor);
    }

    public Duration elapsed() {
        return Duration.between(startedAt, at);
    }
}
