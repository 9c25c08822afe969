package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Where a run's time went, from the timestamps of its records (set by the producers that wrote them, all on this
 * machine's clock), read after the run with a plain consumer.
 *
 * @param startMs        Fanout: the batch's registration on {@code <prefix>batches}; the peer: its first job record
 * @param jobsFirstMs    first job record published
 * @param jobsLastMs     last job record published
 * @param jobs           job records of the run
 * @param resultsFirstMs first result record
 * @param resultsLastMs  last result record
 * @param results        result records of the run (a redelivered item may have two)
 * @param peakPerSecond  the most result records in one second, counted from the first
 * @param endMs          Fanout: when the decision became readable on {@code <prefix>batch-results} to a
 *                       {@code read_committed} consumer ({@link DecisionWatch}); the peer: its last result
 * @param decidedMs      Fanout: the decision record's timestamp, when the aggregator made it (readable once its
 *                       transaction commits); the peer: its last result
 * @param jobsPerSecond  job records per second over the first {@link #FIRST_SECONDS} seconds after the start
 * @param resultsPerSecond result records per second over the same seconds (whether publishing follows the results)
 */
record StageTimeline(long startMs, long jobsFirstMs, long jobsLastMs, long jobs, long resultsFirstMs,
        long resultsLastMs, long results, long peakPerSecond, long endMs, long decidedMs, long[] jobsPerSecond,
        long[] resultsPerSecond) {

    /** How many seconds after the start {@link #jobsPerSecond} and {@link #resultsPerSecond} cover. */
    static final int FIRST_SECONDS = 6;

    /** Marks on the four topics a Fanout batch writes, taken before it is dispatched. */
    record Marks(TopicSlice batches, TopicSlice jobs, TopicSlice results, TopicSlice decisions) {

        static Marks take(KafkaSettings kafka) {
            Topics topics = kafka.topics();
            return new Marks(TopicSlice.mark(kafka, topics.batches().name()),
                    TopicSlice.mark(kafka, topics.jobs(Lane.NORMAL).name()),
                    TopicSlice.mark(kafka, topics.results().name()),
                    TopicSlice.mark(kafka, topics.batchResults().name()));
        }
    }

    /**
     * A Fanout batch: registration, jobs, results and decision, from the records added since the marks.
     *
     * @param readableMs when the decision was first read ({@link DecisionWatch}), epoch ms
     */
    static StageTimeline fanout(Marks marks, String batchId, long readableMs) {
        byte[] key = batchId.getBytes(StandardCharsets.UTF_8);
        long[] registration = {Long.MAX_VALUE};
        marks.batches().read(record -> {
            if (Arrays.equals(record.key(), key)) {
                registration[0] = Math.min(registration[0], record.timestamp());
            }
        });
        Span jobs = new Span();
        marks.jobs().read(record -> {
            Header header = record.headers().lastHeader(FanoutHeaders.BATCH_ID);
            if (header != null && Arrays.equals(header.value(), key)) {
                jobs.add(record);
            }
        });
        Span results = new Span();
        marks.results().read(record -> {
            if (Arrays.equals(record.key(), key)) {
                results.add(record);
            }
        });
        long[] decision = {Long.MAX_VALUE};
        marks.decisions().read(record -> {
            if (Arrays.equals(record.key(), key)) {
                decision[0] = Math.min(decision[0], record.timestamp());
            }
        });
        if (registration[0] == Long.MAX_VALUE || decision[0] == Long.MAX_VALUE) {
            throw new IllegalStateException("batch " + batchId + ": no registration or no decision record found");
        }
        return new StageTimeline(registration[0], jobs.first, jobs.last, jobs.count, results.first, results.last,
                results.count, results.peakPerSecond(), Math.max(readableMs, decision[0]), decision[0],
                jobs.perSecondFrom(registration[0]),
                results.perSecondFrom(registration[0]));
    }

    /** The peer: from its first job record to its last result. */
    static StageTimeline peer(TopicSlice jobTopic, TopicSlice resultTopic) {
        Span jobs = new Span();
        jobTopic.read(jobs::add);
        Span results = new Span();
        resultTopic.read(results::add);
        return new StageTimeline(jobs.first, jobs.first, jobs.last, jobs.count, results.first, results.last,
                results.count, results.peakPerSecond(), results.last, results.last, jobs.perSecondFrom(jobs.first),
                results.perSecondFrom(jobs.first));
    }

    /** Items per second from start to end. */
    double rate(long items) {
        return items * 1000.0 / Math.max(1, endMs - startMs);
    }

    /** The decision's lag behind the last result (0 for the peer, which decides nothing). */
    long decisionLagMs() {
        return endMs - resultsLastMs;
    }

    /** {@code 1,200 / 3,400 / ...}: records per second over the first seconds after the start. */
    static String perSecond(long[] counts) {
        StringBuilder text = new StringBuilder();
        for (long count : counts) {
            text.append(text.isEmpty() ? "" : " / ").append(String.format(java.util.Locale.ROOT, "%,d", count));
        }
        return text.toString();
    }

    /** {@code +12 ms}: a moment relative to the start. */
    String at(long ms) {
        return "+" + (ms - startMs);
    }

    /** First and last timestamps, a count and the peak per second of a stream of records. */
    private static final class Span {
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;
        private long count;
        private long[] stamps = new long[1024];

        void add(ConsumerRecord<byte[], byte[]> record) {
            first = Math.min(first, record.timestamp());
            last = Math.max(last, record.timestamp());
            if (count == stamps.length) {
                stamps = Arrays.copyOf(stamps, stamps.length * 2);
            }
            stamps[(int) count++] = record.timestamp();
        }

        /** Records in each of the first {@link #FIRST_SECONDS} seconds from {@code startMs}. */
        long[] perSecondFrom(long startMs) {
            long[] perSecond = new long[FIRST_SECONDS];
            for (int i = 0; i < count; i++) {
                long second = (stamps[i] - startMs) / 1000;
                if (second >= 0 && second < FIRST_SECONDS) {
                    perSecond[(int) second]++;
                }
            }
            return perSecond;
        }

        /** The most records in one second, the seconds counted from the first record. */
        long peakPerSecond() {
            Map<Long, Long> perSecond = new HashMap<>();
            for (int i = 0; i < count; i++) {
                perSecond.merge((stamps[i] - first) / 1000, 1L, Long::sum);
            }
            return perSecond.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }
}
