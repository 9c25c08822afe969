package dev.fanout.dispatcher;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.internal.RegistryHandlers;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Lane;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Decides which handler names a batch may use. Handlers are named in the workers' configuration and resolved where
 * they run, so a dispatcher normally asks the worker registry ({@link #registry}); {@link #classpath} checks against
 * the handler types in this JVM, for workers embedded in the same process.
 */
@FunctionalInterface
public interface HandlerResolver {

    /**
     * The names a batch published to {@code lane} may use.
     *
     * @throws dev.fanout.config.ConfigException when they cannot be known and that is required
     */
    HandlerNames namesFor(Lane lane);

    /** The handler types of {@code catalog}, under their own names. */
    static HandlerResolver classpath(HandlerCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        HandlerNames names = HandlerNames.of(catalog.names(), "the handler types on this classpath",
                "a custom handler's jar must be on the classpath");
        return lane -> names;
    }

    /**
     * The names the live workers consuming the lane serve, from the worker registry. When no live worker consumes
     * the lane, every name is accepted and {@code warnings} is told once per lane, unless {@code requireWorkers}, in
     * which case the batch is refused.
     */
    static HandlerResolver registry(KafkaSettings kafka, InstantSource clock, boolean requireWorkers,
            Consumer<String> warnings) {
        return new RegistryHandlers(kafka, clock, requireWorkers, warnings);
    }
}
