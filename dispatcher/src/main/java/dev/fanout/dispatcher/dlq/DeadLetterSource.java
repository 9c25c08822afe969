package dev.fanout.dispatcher.dlq;

/** Who wrote a dead letter, judged by its context headers. */
public enum DeadLetterSource {
    /** A Fanout worker: {@code fanout.dlt.*} headers. */
    FANOUT,
    /** Spring Kafka's {@code DeadLetterPublishingRecoverer}: {@code kafka_dlt-*} headers. */
    SPRING,
    /** Kafka Connect's errant record reporter: {@code __connect.errors.*} headers. */
    CONNECT,
    /** No context headers known to the replay tool. */
    UNKNOWN
}
