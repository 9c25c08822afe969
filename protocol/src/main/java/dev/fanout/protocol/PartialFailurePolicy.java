package dev.fanout.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a batch that met {@code minSuccessRate} but had failures becomes. */
public enum PartialFailurePolicy {
    /** {@code SUCCEEDED_WITH_FAILURES}: the downstream proceeds. */
    CONTINUE,
    /** {@code FAILED}. */
    FAIL,
    /** {@code SUCCEEDED_WITH_FAILURES}, with every error and output gathered for the result. */
    COLLECT;

    @JsonValue
    public String id() {
        return Names.id(this);
    }

    @JsonCreator
    public static PartialFailurePolicy of(String text) {
        return Names.parse(PartialFailurePolicy.class, text, "policy.onPartialFailure");
    }
}
