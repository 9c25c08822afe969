package dev.fanout.dispatcher.dlq;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.PoisonRecordException;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the record a dead letter is replayed as: the original key; the value with a valid {@link JobRecord}'s
 * {@code attempt} reset to 1 (any other value as it is); the original headers without the dead-letter context
 * (unless kept) and the dropped ones, {@code fanout.attempt} reset to 1, and {@code fanout.replay-of} naming the
 * dead letter.
 */
public final class ReplayRecords {

    private ReplayRecords() {
    }

    /** The target: {@code --to}, else the original topic, if either is known. */
    public static Optional<String> target(DeadLetter letter, ReplayOptions options) {
        return Optional.ofNullable(options.to() != null ? options.to() : letter.context().originalTopic());
    }

    public static ProducerRecord<byte[], byte[]> of(DeadLetter letter, String target, ReplayOptions options) {
        Headers headers = new RecordHeaders();
        for (Header header : letter.headers()) {
            String name = header.key();
            boolean context = DeadLetterHeaders.isContext(name);
            if ((context && !options.keepHeaders()) || options.dropHeaders().contains(name)
                    || name.equals(FanoutHeaders.REPLAY_OF)) {
                continue;
            }
            if (name.equals(FanoutHeaders.ATTEMPT)) {
                FanoutHeaders.put(headers, FanoutHeaders.ATTEMPT, 1);
            } else {
                headers.add(header);
            }
        }
        if (!options.dropHeaders().contains(FanoutHeaders.REPLAY_OF)) {
            FanoutHeaders.put(headers, FanoutHeaders.REPLAY_OF, letter.coordinates());
        }
        return new ProducerRecord<>(target, null, letter.key(), resetAttempt(letter.value()), headers);
    }

    /** The value with a job's attempt reset to 1; anything that is not a valid job is returned as it is. */
    public static byte[] resetAttempt(byte[] value) {
        if (value == null || value.length == 0) {
            return value;
        }
        JobRecord job;
        try {
            job = Envelopes.decode(value, JobRecord.class);
        } catch (PoisonRecordException | IllegalArgumentException notAJob) {
            return value; // not a Fanout job (a poison record, or another writer's value): replayed unchanged
        }
        if (job.attempt() == 1) {
            return value;
        }
        return Envelopes.encode(job.withAttempt(1)); // keeps the batch's execution settings
    }
}
