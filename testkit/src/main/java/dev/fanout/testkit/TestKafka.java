package dev.fanout.testkit;

/** A real Kafka broker for integration tests: the embedded KRaft broker or a Testcontainers container. */
public interface TestKafka extends AutoCloseable {

    String bootstrapServers();

    /** {@code embedded} or {@code testcontainers}. */
    String kind();

    @Override
    void close();
}
