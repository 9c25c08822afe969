package dev.fanout.aggregator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.Readers;
import dev.fanout.ops.ErrorReference;
import dev.fanout.protocol.Envelopes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one job record back from its lane topic by its coordinates ({@code <topic>/<partition>/<offset>}), for the
 * dashboard's drill-down to an item's payload. One consumer without a group, created on first use, shared by all
 * requests one at a time. Only topics of the deployment's prefix are read.
 */
public final class JobReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobReader.class);

    private static final Pattern COORDINATES = Pattern.compile("(.+)/(\\d{1,9})/(\\d{1,18})");
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int POLLS = (int) (WAIT.toMillis() / POLL.toMillis());

    private final Map<String, Object> properties;
    private final String topicPrefix;
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean closed;

    /**
     * @param properties  the Kafka client properties (bootstrap servers, security)
     * @param topicPrefix only topics whose name starts with it are read
     */
    public JobReader(Map<String, Object> properties, String topicPrefix) {
        this.properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
        this.topicPrefix = Objects.requireNonNull(topicPrefix, "topicPrefix");
    }

    /** What a lookup found. */
    public sealed interface Found {
    }

    /** The record's value as JSON. */
    public record Job(JsonNode record) implements Found {
    }

    /** Nothing to show, and why (the record was deleted by retention, the coordinates are not a job's). */
    public record Missing(String why) implements Found {
    }

    /** Reads the record at {@code coordinates}. */
    public synchronized Found read(String coordinates) {
        Matcher m = COORDINATES.matcher(Objects.requireNonNull(coordinates, "coordinates"));
        if (!m.matches() || !m.group(1).startsWith(topicPrefix)) {
            return new Missing("'" + coordinates + "' are not the coordinates of a job of this deployment");
        }
        if (closed) {
            return new Missing("the aggregator is stopping");
        }
        TopicPartition partition = new TopicPartition(m.group(1), Integer.parseInt(m.group(2)));
        long offset = Long.parseLong(m.group(3));
        KafkaConsumer<byte[], byte[]> reader = consumer();
        try {
            reader.assign(List.of(partition));
            Map<TopicPartition, Long> start = reader.beginningOffsets(Set.of(partition), WAIT);
            if (start.getOrDefault(partition, 0L) > offset) {
                return new Missing("the job record at " + coordinates + " was deleted by the topic's retention");
            }
            reader.seek(partition, offset);
            for (int poll = 0; poll < POLLS; poll++) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
                    if (record.offset() == offset && record.value() != null) {
                        return new Job(Envelopes.mapper().readTree(record.value()));
                    }
                    if (record.offset() >= offset) {
                        return new Missing("no job record at " + coordinates + " (compacted or a control record)");
                    }
                }
            }
            return new Missing("the job record at " + coordinates + " could not be read within " + WAIT.toSeconds()
                    + " s");
        } catch (IOException e) {
            return new Missing(ErrorReference.describe(log, "the record at " + coordinates + " is not JSON", e));
        } catch (KafkaException e) {
            return new Missing(ErrorReference.describe(log, "the record at " + coordinates + " could not be read", e));
        } finally {
            reader.unsubscribe();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> props = new java.util.HashMap<>(properties);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, "fanout-dashboard-job-reader");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (consumer != null) {
            Readers.close(consumer);
        }
    }
}
