package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The aggregator's {@code /healthz} (alive) and {@code /readyz} (serving) answers, from what Kafka Streams says. The
 * JSON shapes are the ones every Fanout process serves: {@code {"status":"UP"}}, {@code {"status":"DOWN","reason":..}},
 * {@code {"status":"READY"}}, {@code {"status":"NOT_READY","reason":..}}.
 *
 * <ul>
 *   <li>Alive unless Kafka Streams is {@code ERROR}, {@code PENDING_ERROR} or {@code NOT_RUNNING}: its stream
 *       threads died (or it was closed), and the process is about to exit.</li>
 *   <li>Ready only when Kafka Streams is {@code RUNNING}, this instance has active tasks (partitions assigned), and
 *       the stores of each of them can be queried: then the results API answers for the batches it owns.</li>
 * </ul>
 */
public final class Health {

    public static final String UP = "UP";
    public static final String DOWN = "DOWN";
    public static final String READY = "READY";
    public static final String NOT_READY = "NOT_READY";

    private Health() {
    }

    /** What health needs to know of Kafka Streams: the seam between the HTTP answers and the client. */
    public interface Probe {

        KafkaStreams.State state();

        /** The results-topic partitions of this instance's active tasks; empty while none are assigned. */
        Set<Integer> activePartitions();

        /** Why the stores of an active partition cannot be queried now, or empty when they can. */
        Optional<String> unqueryable(int partition);

        /** Why Kafka Streams stopped by itself (the last stream thread's error), or empty. */
        Optional<String> failure();
    }

    /**
     * A health answer's body.
     *
     * @param reason why it is {@code DOWN} or {@code NOT_READY}; absent otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String status, String reason) {

        public Status {
            Objects.requireNonNull(status, "status");
        }
    }

    /** An HTTP status code and the body. */
    public record Answer(int code, Status body) {
    }

    /**
     * {@code 200 UP}, or {@code 503 DOWN} once Kafka Streams is in {@code ERROR}, {@code PENDING_ERROR} or
     * {@code NOT_RUNNING}.
     */
    public static Answer liveness(Probe probe) {
        KafkaStreams.State state = probe.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING) {
            return new Answer(503, new Status(DOWN, "Kafka Streams is " + state + failure(probe)));
        }
        return new Answer(200, new Status(UP, null));
    }

    /**
     * {@code 200 READY} when running with partitions assigned and their stores queryable, else
     * {@code 503 NOT_READY}.
     */
    public static Answer readiness(Probe probe) {
        KafkaStreams.State state = probe.state();
        if (state != KafkaStreams.State.RUNNING) {
            String why = switch (state) {
                case CREATED, REBALANCING -> ": partitions are being assigned or stores restored";
                case PENDING_SHUTDOWN -> ": the aggregator is stopping";
                default -> failure(probe);
            };
            return notReady("Kafka Streams is " + state + why);
        }
        Set<Integer> partitions = probe.activePartitions();
        if (partitions.isEmpty()) {
            return notReady("no partitions are assigned to this instance (Kafka Streams is RUNNING; other instances"
                    + " own them all, or the assignment is on its way)");
        }
        for (int partition : partitions) {
            Optional<String> why = probe.unqueryable(partition);
            if (why.isPresent()) {
                return notReady("the stores of partition " + partition + " cannot be queried yet: " + why.get());
            }
        }
        return new Answer(200, new Status(READY, null));
    }

    /**
     * That a stream thread died, if one did: what it died of (an exception's class and message) stays in the
     * aggregator's log and exit message, never in an HTTP answer.
     */
    private static String failure(Probe probe) {
        return probe.failure().isPresent() ? ": a stream thread died; the aggregator's log says why" : "";
    }

    private static Answer notReady(String reason) {
        return new Answer(503, new Status(NOT_READY, reason));
    }
}
