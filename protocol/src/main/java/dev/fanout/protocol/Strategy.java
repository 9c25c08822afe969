package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the aggregator fans a batch back in. */
public enum Strategy {
    /** Decide when every item is terminal; decide {@code FAILED} early once {@code minSuccessRate} is out of reach. */
    WAIT_ALL,
    /** The first failure decides {@code FAILED}. */
    FAIL_FAST,
    /** Wait for every item, then judge by {@code minSuccessRate}; never decides early on failures. */
    BEST_EFFORT,
    /** The first success decides {@code SUCCEEDED} with that item's output. */
    RACE;

    @JsonValue
    public String id() {
        return Names.id(this);
    }

    @JsonCreator
    public static Strategy of(String text) {
        return Names.parse(Strategy.class, text, "policy.strategy");
    }
}
