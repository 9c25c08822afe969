package dev.fanout.worker.internal;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The worker's own topics for items that must wait: the retry tiers ({@code retry.10s}, {@code .1m}, {@code .10m})
 * and the parking topic for paused batches. Builds their records, which keep the job's key (so its order among
 * retries of the same key) and headers, and say where the job was first read ({@code fanout.origin.*}), so that a
 * later dead letter points at the lane record however many hops the job made.
 */
public final class DeferredRecords {

    private final Topics topics;
    private final InstantSource clock;
    private final String groupId;
    private final Map<String, Duration> tierOfTopic = new HashMap<>();
    private final List<Duration> tiers;

    /** @param groupId the worker's consumer group, stamped on what it defers */
    public DeferredRecords(Topics topics, InstantSource clock, String groupId) {
        this.topics = topics;
        this.clock = clock;
        this.groupId = groupId;
        topics.retryTiers().forEach((tier, topic) -> tierOfTopic.put(topic.name(), tier));
        this.tiers = List.copyOf(topics.retryTiers().keySet());
    }

    /** The delay of a retry-tier topic, if the topic is one. */
    Optional<Duration> tierOf(String topic) {
        return Optional.ofNullable(tierOfTopic.get(topic));
    }

    boolean isParking(String topic) {
        return topics.parked().name().equals(topic);
    }

    /** Whether records of this topic were deferred by a worker (a retry tier or the parking topic). */
    boolean isDeferred(String topic) {
        return tierOfTopic.containsKey(topic) || isParking(topic);
    }

    /** The shortest tier: waits shorter than this are held in the worker, longer ones travel through a tier. */
    Duration shortestTier() {
        return tiers.getFirst();
    }

    /** The longest tier no longer than the wait, or the shortest when the wait is shorter than every tier. */
    Duration tierFor(Duration wait) {
        Duration chosen = tiers.getFirst();
        for (Duration tier : tiers) {
            if (tier.compareTo(wait) <= 0) {
                chosen = tier;
            }
        }
        return chosen;
    }

    /** The job's next attempt, due at {@code dueAt}, in the tier for the wait left. */
    ProducerRecord<String, byte[]> retry(ConsumerRecord<String, byte[]> current, JobRecord next, Instant dueAt,
            Instant firstFailure) {
        ProducerRecord<String, byte[]> record = toTier(current, Envelopes.encode(next), dueAt);
        FanoutHeaders.replace(record.headers(), FanoutHeaders.ATTEMPT, next.attempt());
        FanoutHeaders.replace(record.headers(), FanoutHeaders.FIRST_FAILURE, firstFailure);
        return record;
    }

    /** A retry record moved on to the tier for the wait it has left. */
    ProducerRecord<String, byte[]> hop(ConsumerRecord<String, byte[]> current, Instant dueAt) {
        return toTier(current, current.value(), dueAt);
    }

    /**
     * An item of a paused batch, parked with the control-topic offset this worker had read.
     *
     * @param job the job at its current attempt, or {@code null} to park the record's value unchanged
     */
    ProducerRecord<String, byte[]> parked(ConsumerRecord<String, byte[]> current, JobRecord job,
            long controlPosition) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.parked().name(), null, clock.millis(),
                current.key(), job == null ? current.value() : Envelopes.encode(job), copyWithOrigin(current));
        if (job != null) {
            FanoutHeaders.replace(record.headers(), FanoutHeaders.ATTEMPT, job.attempt());
        }
        FanoutHeaders.replace(record.headers(), FanoutHeaders.PARKED_AT, clock.millis());
        FanoutHeaders.replace(record.headers(), FanoutHeaders.PARKED_CONTROL_OFFSET, controlPosition);
        return record;
    }

    /** When a retry-tier record's next attempt is due: its header, or at once when the header is missing. */
    Instant dueAt(ConsumerRecord<String, byte[]> record) {
        return Instant.ofEpochMilli(FanoutHeaders.number(record.headers(), FanoutHeaders.RETRY_DUE_AT)
                .orElse(record.timestamp()));
    }

    /** When the item's attempt chain first failed, if a retry record says so. */
    Optional<Instant> firstFailure(ConsumerRecord<String, byte[]> record) {
        if (!isDeferred(record.topic())) {
            return Optional.empty();
        }
        return FanoutHeaders.text(record.headers(), FanoutHeaders.FIRST_FAILURE).flatMap(text -> {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /** Where the job was first read: the origin headers of a deferred record, else the record itself. */
    Origin origin(ConsumerRecord<String, byte[]> record) {
        if (isDeferred(record.topic())) {
            Optional<String> topic = FanoutHeaders.text(record.headers(), FanoutHeaders.ORIGIN_TOPIC);
            var partition = FanoutHeaders.number(record.headers(), FanoutHeaders.ORIGIN_PARTITION);
            var offset = FanoutHeaders.number(record.headers(), FanoutHeaders.ORIGIN_OFFSET);
            if (topic.isPresent() && partition.isPresent() && offset.isPresent()) {
                return new Origin(topic.get(), (int) partition.getAsLong(), offset.getAsLong(),
                        FanoutHeaders.number(record.headers(), FanoutHeaders.ORIGIN_TIMESTAMP)
                                .orElse(record.timestamp()));
            }
        }
        return new Origin(record.topic(), record.partition(), record.offset(), record.timestamp());
    }

    private ProducerRecord<String, byte[]> toTier(ConsumerRecord<String, byte[]> current, byte[] value,
            Instant dueAt) {
        Duration wait = Duration.between(clock.instant(), dueAt);
        String topic = topics.retryTiers().get(tierFor(wait)).name();
        // the timestamp is the worker's clock: a tier releases a record at timestamp + tier delay
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, clock.millis(), current.key(), value,
                copyWithOrigin(current));
        FanoutHeaders.replace(record.headers(), FanoutHeaders.RETRY_DUE_AT, dueAt.toEpochMilli());
        return record;
    }

    private Headers copyWithOrigin(ConsumerRecord<String, byte[]> current) {
        Headers headers = new RecordHeaders();
        for (Header header : current.headers()) {
            headers.add(header);
        }
        Origin origin = origin(current);
        FanoutHeaders.replace(headers, FanoutHeaders.ORIGIN_TOPIC, origin.topic());
        FanoutHeaders.replace(headers, FanoutHeaders.ORIGIN_PARTITION, origin.partition());
        FanoutHeaders.replace(headers, FanoutHeaders.ORIGIN_OFFSET, origin.offset());
        FanoutHeaders.replace(headers, FanoutHeaders.ORIGIN_TIMESTAMP, origin.timestamp());
        FanoutHeaders.replace(headers, FanoutHeaders.ORIGIN_GROUP, groupId);
        return headers;
    }

    /**
     * Whether a deferred record belongs to another consumer group: groups share the retry and parking topics, and
     * each takes back only what it deferred. A group's own records run on whichever of its workers reads them,
     * whatever lanes that worker serves.
     */
    boolean isForeign(ConsumerRecord<String, byte[]> record) {
        Optional<String> group = FanoutHeaders.text(record.headers(), FanoutHeaders.ORIGIN_GROUP);
        return group.isPresent() && !group.get().equals(groupId);
    }

    /** The lane record a job was first read from. */
    record Origin(String topic, int partition, long offset, long timestamp) {
    }
}
