package dev.fanout.dispatcher.internal;

import com.codahale.metrics.Meter;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.Sleeper;
import dev.fanout.dispatcher.HandlerResolver;
import java.time.InstantSource;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * What every dispatch of one {@code Dispatcher} shares: the producer, the settings, the handler names, the clock and the
 * sleeper, the published-items meter, and the backlog reader.
 */
public record DispatchServices(KafkaProducer<String, byte[]> producer, KafkaSettings kafka, HandlerResolver handlers,
        InstantSource clock, Sleeper sleeper, Meter published, LaneBacklog backlog) {

    public DispatchServices {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(handlers, "handlers");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(published, "published");
        Objects.requireNonNull(backlog, "backlog");
    }
}
