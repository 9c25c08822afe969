package dev.fanout.dispatcher;

import dev.fanout.protocol.Lane;
import java.time.Duration;
import java.util.Objects;

/**
 * What a dispatch published.
 *
 * @param batchId     the batch
 * @param total       the batch's items: the sealed total
 * @param lane        the jobs lane they went to
 * @param topic       that lane's topic
 * @param took        from the start of the dispatch to the sealed definition being acknowledged
 * @param published   items this dispatch published (less than {@code total} after a resume)
 * @param alreadyDone items a resume left out because they had a result already
 * @param rejected    invalid items left out ({@code --on-invalid-item skip})
 * @param outcome     how publishing ended
 */
public record DispatchResult(String batchId, long total, Lane lane, String topic, Duration took, long published,
        long alreadyDone, RejectedItems rejected, Outcome outcome) {

    /** How publishing ended. */
    public enum Outcome {
        /** Every item was published and the batch sealed with its total. */
        SEALED,
        /**
         * The batch was decided before its end ({@code fail_fast}, {@code race}): the rest was not published but
         * recorded {@code CANCELLED} on the results topic, and the batch sealed with its total, so it settles.
         */
        DECIDED_EARLY
    }

    public DispatchResult {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(outcome, "outcome");
    }
}
