package dev.fanout.aggregator.dashboard;

/**
 * What the dashboard's action buttons do, supplied by the host that starts the aggregator (the {@code fanout} CLI
 * publishes control signals and replays dead letters). Actions are off unless the aggregator is started with them.
 */
public interface DashboardActions {

    /** An action on one batch. */
    enum Action {
        PAUSE, RESUME, CANCEL, REPLAY;

        /** The action named in a URL ({@code pause}, ...). */
        public static Action of(String name) {
            for (Action action : values()) {
                if (action.name().equalsIgnoreCase(name)) {
                    return action;
                }
            }
            throw new IllegalArgumentException("unknown action '" + name + "'; the actions are pause, resume, cancel"
                    + " and replay");
        }
    }

    /**
     * Performs an action on a batch.
     *
     * @return one line saying what was done, shown to the user
     * @throws IllegalArgumentException when the action cannot apply to the batch (the message says why)
     */
    String perform(Action action, String batchId) throws Exception;
}
