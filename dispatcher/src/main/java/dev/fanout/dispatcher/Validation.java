package dev.fanout.dispatcher;

import java.util.Objects;

/**
 * What a validation pass over a batch's items found.
 *
 * @param items    valid items: the batch's total when it is published with the same policy
 * @param rejected invalid items left out ({@link InvalidItemPolicy#SKIP}); empty under {@link InvalidItemPolicy#FAIL},
 *                 which throws at the first one instead
 */
public record Validation(long items, RejectedItems rejected) {

    public Validation {
        Objects.requireNonNull(rejected, "rejected");
    }
}
