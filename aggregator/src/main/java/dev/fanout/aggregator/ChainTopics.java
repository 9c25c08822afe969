package dev.fanout.aggregator;

/**
 * Makes sure a chaining target's topic can be written to before the aggregator publishes an event there: the seam
 * between the topology (which must not block on a missing topic) and the cluster's admin API.
 */
public interface ChainTopics {

    /** For {@code TopologyTestDriver} and clusters that create topics on first write: every topic is taken as there. */
    ChainTopics ASSUME_EXISTING = topic -> true;

    /**
     * Starts making sure the topic exists, without waiting: called when a batch naming it is registered, so that
     * {@link #ensure} rarely waits when the batch is decided.
     */
    default void prepare(String topic) {
    }

    /**
     * Makes sure the topic exists, creating it when it is missing; waits a bounded time.
     *
     * @return whether it exists now; {@code false} when it cannot be created (the event is then not published)
     */
    boolean ensure(String topic);
}
