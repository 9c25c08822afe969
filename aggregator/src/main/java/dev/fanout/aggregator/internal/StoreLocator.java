package dev.fanout.aggregator.internal;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Where the results API finds a batch: in this instance's stores, on another instance, or nowhere for now
 * (starting, rebalancing). The seam between the HTTP layer and Kafka Streams' interactive queries.
 */
public interface StoreLocator {

    /** Where the batch's stores are. */
    Location locate(String batchId);

    /** Every place batches are: each partition on this instance, and each other instance. */
    List<Location> everywhere();

    /** A place batches are. */
    sealed interface Location {
    }

    /** Stores in this instance. */
    record Local(ResultsQueries queries) implements Location {
        public Local {
            Objects.requireNonNull(queries, "queries");
        }
    }

    /** Another aggregator instance's results API. */
    record Remote(URI base) implements Location {
        public Remote {
            Objects.requireNonNull(base, "base");
        }
    }

    /** Not answerable now, and why. */
    record Unavailable(String why) implements Location {
    }
}
