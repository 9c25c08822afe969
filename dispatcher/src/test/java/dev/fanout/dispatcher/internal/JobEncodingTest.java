package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Compensation;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.RetrySettings;
import dev.fanout.protocol.TimeoutPolicy;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobEncodingTest {

    private static final Instant AT = Instant.parse("2026-11-22T00:20:13.512Z");

    @Test
    void aJobIsWrittenExactlyAsTheProtocolsCodecWritesIt() throws Exception {
        JsonNode settings = Envelopes.mapper().readTree("{\"greeting\":\"hé \\\"there\\\"\",\"retries\":3}");
        JsonNode payload = Envelopes.mapper().readTree("{\"n\":12345678901,\"f\":1.5,\"big\":123456789012345678901234567890,"
                + "\"dec\":0.1000000000000000055511151231257827,\"list\":[true,null,\"x\",{\"y\":-1}],\"emoji\":\"\\ud83d\\ude00\"}");
        ItemExecution execution = new ItemExecution(new RetrySettings(Duration.ofMillis(1500), 2.0,
                Duration.ofMinutes(1), 5, List.of("IllegalArgumentException")), Duration.ofSeconds(30),
                TimeoutPolicy.CONTINUE, Envelopes.mapper().readTree("{\"type\":\"object\",\"minProperties\":1}"),
                false);
        JobRecord full = new JobRecord(Envelopes.SCHEMA_VERSION, "orders-1", "third", 2, 3L, "echo", settings, payload,
                "trace-orders-1-2", 1, AT, AT.plusSeconds(600), execution)
                .withCompensation(new Compensation("refund", settings));
        JobRecord partial = new JobRecord(Envelopes.SCHEMA_VERSION, "orders-1", "fourth", 3, 4L, "echo", settings,
                payload, "trace-orders-1-3", 1, AT, null, new ItemExecution(null, null, null, null, true));
        JobRecord bare = new JobRecord(Envelopes.SCHEMA_VERSION, "b", "0", 0, null, "echo", null,
                Envelopes.mapper().readTree("42"), "trace-b-0", 1, AT.plusNanos(123_000));

        JobEncoding encoding = new JobEncoding();
        for (JobRecord job : new JobRecord[] {full, bare, full, partial}) {
            byte[] bytes = encoding.encode(job);
            assertThat(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(new String(Envelopes.encode(job), StandardCharsets.UTF_8));
            assertThat(Envelopes.decode(bytes, JobRecord.class)).isEqualTo(job);
        }
    }

    @Test
    void theEncoderWritesEveryFieldOfTheJobRecord() {
        assertThat(JobRecord.class.getRecordComponents()).extracting(RecordComponent::getName)
                .as("JobEncoding writes exactly these fields: a field added to JobRecord must be added there too")
                .containsExactly("schemaVersion", "batchId", "itemId", "index", "total", "handler", "settings",
                        "payload", "traceId", "attempt", "createdAt", "expiresAt", "execution", "compensation");
    }
}
