package dev.fanout.testkit;

import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.EmbeddedKafkaBroker;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that shares one real Kafka broker per test run (per JVM) and injects it as a {@link TestKafka}
 * parameter. {@code -Dfanout.test.kafka=embedded|testcontainers|auto} chooses the broker; {@code auto} (the default)
 * takes Testcontainers' Kafka where a Docker engine answers and the embedded KRaft broker otherwise. The choice is
 * logged. The broker is stopped when the run ends.
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class WorkerIT {
 *     @Test void itemsRun(TestKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class KafkaExtension implements ParameterResolver {

    public static final String MODE_PROPERTY = "fanout.test.kafka";
    private static final Logger log = LoggerFactory.getLogger(KafkaExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return shared(context);
    }

    /** The run's shared broker, started on first use. */
    public static TestKafka shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("kafka", key -> new Resource(start()), Resource.class).kafka;
    }

    private static TestKafka start() {
        String mode = System.getProperty(MODE_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "embedded" -> {
                return embedded("-D" + MODE_PROPERTY + "=embedded");
            }
            case "testcontainers" -> {
                return ContainerKafka.start();
            }
            case "auto" -> {
                if (ContainerKafka.dockerAvailable()) {
                    log.info("Kafka for tests: Testcontainers (a Docker engine answers; -D{}=embedded to override)",
                            MODE_PROPERTY);
                    return ContainerKafka.start();
                }
                return embedded("auto: no Docker engine");
            }
            default -> throw new ParameterResolutionException(MODE_PROPERTY
                    + " must be one of embedded, testcontainers, auto, was '" + mode + "'");
        }
    }

    private static TestKafka embedded(String why) {
        log.info("Kafka for tests: embedded KRaft broker ({})", why);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withMaxHeap("768m"));
        return new TestKafka() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            public String kind() {
                return "embedded";
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    /** Closes the broker when the root context (the whole run) closes. */
    private record Resource(TestKafka kafka) implements AutoCloseable {
        @Override
        public void close() {
            kafka.close();
        }
    }
}
