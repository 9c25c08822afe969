package dev.fanout.dispatcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fanout.protocol.BatchStatus;
import dev.fanout.protocol.ControlSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A control signal the broker has acknowledged, where it is, and what was true of the batch before it.
 *
 * @param signal    the signal as published
 * @param topic     the control topic
 * @param partition its partition
 * @param offset    its offset
 * @param previous  the signal that was in force for the batch before this one, or {@code null} for none
 * @param decided   the batch's decision status when it was already decided, or {@code null} (not decided, or not
 *                  looked up: only a pause or a cancel looks it up)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SignalReceipt(ControlSignal signal, String topic, int partition, long offset, ControlSignal previous,
        BatchStatus decided) {

    public SignalReceipt {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(topic, "topic");
    }

    /** The signal's action in lower case ({@code pause}, {@code resume}, {@code cancel}). */
    public String action() {
        return signal.action().id();
    }

    /**
     * What the user may want to know: the signal changes nothing (a resume of a batch that is not paused), repeats
     * the one in force, or comes after the batch's decision. Empty when there is nothing to say.
     */
    public List<String> notes() {
        List<String> notes = new ArrayList<>();
        String batch = "batch " + signal.batchId();
        ControlSignal.Action before = previous == null ? null : previous.action();
        switch (signal.action()) {
            case RESUME -> {
                if (before != ControlSignal.Action.PAUSE) {
                    notes.add(batch + " was not paused (" + (previous == null ? "no signal in force"
                            : "the signal in force was " + before.id() + " at " + previous.at())
                            + "); the resume signal changes nothing");
                }
            }
            case PAUSE -> {
                if (before == ControlSignal.Action.PAUSE) {
                    notes.add(batch + " was paused already (since " + previous.at() + ")");
                }
            }
            case CANCEL -> {
                if (before == ControlSignal.Action.CANCEL) {
                    notes.add(batch + " was cancelled already (at " + previous.at() + ")");
                }
            }
        }
        if (decided != null) {
            notes.add(batch + " is already decided (" + decided + "); the " + action() + " signal only affects its"
                    + " items that have not started, and not the decision");
        }
        return List.copyOf(notes);
    }
}
