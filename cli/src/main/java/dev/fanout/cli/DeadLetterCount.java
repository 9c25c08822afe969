package dev.fanout.cli;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicScan;
import dev.fanout.protocol.FanoutHeaders;

/** Counts the records on the dead-letter topic that belong to one batch (by their batch-id header). */
final class DeadLetterCount {

    private DeadLetterCount() {
    }

    static long of(KafkaSettings kafka, String batchId) {
        long[] count = new long[1];
        TopicScan.readAll(kafka, kafka.topics().deadLetters().name(), record -> {
            if (FanoutHeaders.text(record.headers(), FanoutHeaders.BATCH_ID).filter(batchId::equals).isPresent()) {
                count[0]++;
            }
        });
        return count[0];
    }
}
