package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FailureReason;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.TopicDescriptor;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import dev.fanout.testkit.TopicRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout dlq list|show|replay} on dead letters written by a plain producer as Fanout, Spring and Connect do. */
@ExtendWith(KafkaExtension.class)
class DlqCommandIT {

    private static final Instant CREATED = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void deadLettersAreListedByFilterShownAndReplayedExactlyOnce(TestKafka kafka) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "it-" + run + ".";
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix)
                .withPartitions(1, 1);
        Topics topics = settings.topics();
        String dlq = topics.deadLetters().name();
        String jobs = topics.jobs(Lane.NORMAL).name();
        String orders = "it-" + run + "-orders";
        String payments = "it-" + run + "-payments";
        String batch = "b-" + run;
        TopicInitializer.ensure(settings, List.of(topics.deadLetters(), topics.jobs(Lane.NORMAL),
                new TopicDescriptor<>(orders, byte[].class, 1, Map.of()),
                new TopicDescriptor<>(payments, byte[].class, 1, Map.of())));
        String[] cluster = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix};

        try (TopicRecords records = new TopicRecords(kafka.bootstrapServers())) {
            records.send(fanout(dlq, jobs, batch, 0, FailureReason.RETRIES_EXHAUSTED, "java.io.IOException",
                    "connection reset"));
            records.send(fanout(dlq, jobs, batch, 1, FailureReason.TIMEOUT, "Timeout", "ran past 30s"));
            records.send(foreign(dlq, "o-1", Map.of("kafka_dlt-original-topic", orders.getBytes(StandardCharsets.UTF_8),
                    "kafka_dlt-original-partition", ByteBuffer.allocate(4).putInt(0).array(),
                    "kafka_dlt-original-offset", ByteBuffer.allocate(8).putLong(99).array(),
                    "kafka_dlt-exception-fqcn", utf8("org.springframework.kafka.listener.ListenerExecutionFailedException"),
                    "kafka_dlt-exception-message", utf8("price must be positive"))));
            records.send(foreign(dlq, "p-1", Map.of("__connect.errors.topic", utf8(payments),
                    "__connect.errors.partition", utf8("0"), "__connect.errors.offset", utf8("7"),
                    "__connect.errors.exception.class.name", utf8("org.apache.kafka.connect.errors.DataException"),
                    "__connect.errors.exception.message", utf8("Converting byte[] to Kafka Connect data failed"))));

            CommandOutput all = CommandOutput.run(dlq(cluster, "list", "--json"));
            assertThat(all.exitCode()).isZero();
            assertThat(all.out()).startsWith("4 dead letters on " + dlq)
                    .contains("by reason:").contains("(spring)").contains("(connect)")
                    .contains("ListenerExecutionFailedExce…").contains("price must be positive");
            JsonNode listed = Envelopes.mapper().readTree(all.lastLine());
            assertThat(listed.get("total").asLong()).isEqualTo(4);
            assertThat(listed.get("byReason").get("TIMEOUT").asLong()).isEqualTo(1);
            assertThat(listed.get("deadLetters").get(2).get("originalTopic").asText()).isEqualTo(orders);
            assertThat(listed.get("deadLetters").get(2).get("originalOffset").asLong()).isEqualTo(99);

            CommandOutput timeouts = CommandOutput.run(dlq(cluster, "list", "--batch", batch, "--reason",
                    "timeout", "--json"));
            assertThat(timeouts.out()).startsWith("1 dead letters on " + dlq + " match");
            assertThat(Envelopes.mapper().readTree(timeouts.lastLine()).get("deadLetters").get(0).get("index")
                    .asLong()).isEqualTo(1);
            CommandOutput dataErrors = CommandOutput.run(dlq(cluster, "list", "--error-contains",
                    "dataexception", "--topic", payments, "--since", "1h", "--json"));
            assertThat(Envelopes.mapper().readTree(dataErrors.lastLine()).get("total").asLong()).isEqualTo(1);
            CommandOutput future = CommandOutput.run(dlq(cluster, "list", "--since", "2999-01-01T00:00:00Z"));
            assertThat(future.out()).startsWith("0 dead letters on " + dlq + " match");

            CommandOutput shown = CommandOutput.run(dlq(cluster, "show", "0:0", "--json"));
            assertThat(shown.exitCode()).isZero();
            assertThat(shown.out()).contains("dead letter " + dlq + "/0/0 at").contains("(written by fanout)")
                    .contains("  original:  " + jobs + " partition 0 offset 40")
                    .contains("  fanout.dlt.stacktrace: java.io.IOException: connection reset")
                    .contains("payload (");
            JsonNode one = Envelopes.mapper().readTree(shown.lastLine());
            assertThat(one.get("payload").get("batchId").asText()).isEqualTo(batch);
            assertThat(one.get("headers")).extracting(h -> h.get("name").asText()).contains(FanoutHeaders.DLT_REASON,
                    FanoutHeaders.BATCH_ID);
            CommandOutput spring = CommandOutput.run(dlq(cluster, "show", "0:2"));
            assertThat(spring.out()).contains("  kafka_dlt-original-offset: 99").contains("(written by spring)");
            CommandOutput missing = CommandOutput.run(dlq(cluster, "show", "0:9"));
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("no dead letter at " + dlq + " partition 0 offset 9");

            CommandOutput dry = CommandOutput.run(dlq(cluster, "replay", "--dry-run", "--json"));
            assertThat(dry.out()).contains("dry run: would replay 4 dead letters from " + dlq);
            assertThat(records.readAll(jobs)).isEmpty();
            assertThat(records.readAll(orders)).isEmpty();

            CommandOutput replay = CommandOutput.run(dlq(cluster, "replay", "--error-contains",
                    "exception", "--rate", "1000/s", "--drop-header", "user-header", "--json"));
            assertThat(replay.exitCode()).isZero();
            assertThat(replay.out()).contains("replayed 3 dead letters from " + dlq + "; skipped: 0 already"
                    + " replayed (--force to repeat), 1 by filter, 0 over --limit, 0 without an original topic");
            JsonNode summary = Envelopes.mapper().readTree(replay.lastLine());
            assertThat(summary.get("replayed").asLong()).isEqualTo(3);
            List<ConsumerRecord<String, byte[]>> replayedJobs = records.readAll(jobs);
            assertThat(replayedJobs).hasSize(1);
            ConsumerRecord<String, byte[]> job = replayedJobs.getFirst();
            assertThat(job.key()).isEqualTo("key-0");
            assertThat(Envelopes.decode(job.value(), JobRecord.class).attempt()).isEqualTo(1);
            assertThat(FanoutHeaders.text(job.headers(), FanoutHeaders.REPLAY_OF)).contains(dlq + "/0/0");
            assertThat(FanoutHeaders.text(job.headers(), FanoutHeaders.ATTEMPT)).contains("1");
            assertThat(job.headers().lastHeader("user-header")).isNull();
            assertThat(job.headers().lastHeader(FanoutHeaders.DLT_REASON)).isNull();
            assertThat(records.readAll(orders)).extracting(ConsumerRecord::key).containsExactly("o-1");
            assertThat(records.readAll(payments)).extracting(ConsumerRecord::key).containsExactly("p-1");

            CommandOutput again = CommandOutput.run(dlq(cluster, "replay", "--error-contains",
                    "exception"));
            assertThat(again.out()).contains("replayed 0 dead letters from " + dlq + "; skipped: 3 already replayed");
            assertThat(records.readAll(jobs)).hasSize(1);

            CommandOutput elsewhere = CommandOutput.run(dlq(cluster, "replay", "--reason", "TIMEOUT",
                    "--to", payments));
            assertThat(elsewhere.out()).contains("replayed 1 dead letters");
            assertThat(records.readAll(payments)).extracting(ConsumerRecord::key).containsExactly("p-1", "key-1");
        }
    }

    private static ProducerRecord<String, byte[]> fanout(String dlq, String jobs, String batch, int index,
            FailureReason reason, String type, String message) {
        JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, batch, "item-" + index, index, 2L, "echo", null,
                Envelopes.mapper().createObjectNode().put("n", index), JobRecord.defaultTraceId(batch, index), 3,
                CREATED);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dlq, 0, "key-" + index, Envelopes.encode(job));
        Headers headers = record.headers();
        FanoutHeaders.putIdentity(headers, job);
        headers.add("user-header", utf8("u"));
        FanoutHeaders.put(headers, FanoutHeaders.DLT_REASON, reason.name());
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_TOPIC, jobs);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_PARTITION, 0);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ORIGINAL_OFFSET, 40 + index);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_CLASS, type);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_EXCEPTION_MESSAGE, message);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_STACKTRACE, type + ": " + message + "\n\tat Handler.run");
        FanoutHeaders.put(headers, FanoutHeaders.DLT_ATTEMPTS, 3);
        FanoutHeaders.put(headers, FanoutHeaders.DLT_LAST_FAILURE, Instant.now());
        return record;
    }

    private static ProducerRecord<String, byte[]> foreign(String dlq, String key, Map<String, byte[]> context) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dlq, 0, key, utf8("{\"id\":\"" + key + "\"}"));
        context.forEach(record.headers()::add);
        return record;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code dlq <subcommand> <cluster options> <rest>}. */
    private static String[] dlq(String[] cluster, String subcommand, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of("dlq", subcommand));
        all.addAll(List.of(cluster));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
