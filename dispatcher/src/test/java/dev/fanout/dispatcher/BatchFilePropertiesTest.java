package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.ConfigException;
import dev.fanout.dispatcher.dlq.DeadLetterHeaders;
import dev.fanout.testkit.HostileInputs;
import dev.fanout.testkit.SeededCases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property tests (seeded cases, {@link SeededCases}) of the dispatcher's parsers: any batch file (YAML or JSON) gives
 * a spec and items or a {@link ConfigException} (an {@link InvalidItemException} for an item), any JSON Lines input
 * gives items or an {@link InvalidItemException} naming its line, and any dead-letter headers give a context; never
 * another exception.
 */
class BatchFilePropertiesTest {

    static final String BATCH = """
            {"batchId":"orders-1","handler":"echo","settings":{"latencyMs":5},"priority":"high",\
            "keyField":"/customer","policy":{"strategy":"best_effort","minSuccessRate":0.9,"totalTimeout":"5m",\
            "onError":{"topic":"next","with":{"why":"{{ .reason }}"}}},"maxConcurrency":50,"batchSize":10,\
            "delayBetweenBatches":"2s","rateLimit":500,"queue":{"maxSize":1000,"timeout":"10m"},\
            "retry":{"initialInterval":"1s","backoffCoefficient":2.0,"maximumInterval":"1m","maximumAttempts":5,\
            "nonRetryable":["IllegalArgumentException"]},"timeout":"30s","onTimeout":"cancel",\
            "outputSchema":{"type":"object"},"deadLetterQueue":false,\
            "items":[1,{"payload":{"customer":"c1"},"id":"a","key":"k","handler":"echo","settings":{"x":1}}]}""";

    static final String ITEM = "{\"payload\":{\"x\":1},\"id\":\"a\",\"key\":\"k\"}";

    @TempDir
    Path dir;

    @Test
    void anyBatchFileGivesASpecOrAConfigError() {
        SeededCases.check(11_000, 250, BatchFilePropertiesTest::batchFile, file -> {
            Path path = dir.resolve("batch" + file.extension());
            Files.write(path, file.content());
            try {
                BatchSpec.File read = BatchSpec.File.read(path);
                assertThat(read.spec().handler()).isNotBlank();
                if (read.items() != null) {
                    InlineItems items = new InlineItems(read.items());
                    while (items.next() != null) {
                        // every item is read
                    }
                }
            } catch (ConfigException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("com.fasterxml").doesNotContain("Exception:");
            }
        });
    }

    @Test
    void anyJsonLinesGiveItemsOrAnErrorNamingTheLine() {
        SeededCases.check(12_000, 200, BatchFilePropertiesTest::jsonLines, content -> {
            try (JsonLinesItems items = JsonLinesItems.of(new ByteArrayInputStream(content), "stdin")) {
                for (int read = 0; read < 100; read++) {
                    try {
                        if (items.next() == null) {
                            return;
                        }
                    } catch (InvalidItemException e) {
                        assertThat(e.getMessage()).startsWith("stdin line ").doesNotContain("com.fasterxml");
                    }
                }
            }
        });
    }

    @Test
    void anyDeadLetterHeadersGiveAContext() {
        SeededCases.check(13_000, 200, BatchFilePropertiesTest::deadLetterHeaders, headers -> {
            assertThat(DeadLetterHeaders.read(headers, Instant.EPOCH)).isNotNull();
            headers.forEach(header -> assertThat(DeadLetterHeaders.display(header)).isNotNull());
        });
    }

    /** A batch file's content and its extension, which chooses JSON or YAML. */
    record BatchFile(byte[] content, String extension) {
    }

    /** A hostile variant of the valid batch (8 in 9) or a YAML oddity (1 in 9), as .json or .yaml. */
    private static BatchFile batchFile(HostileInputs hostile) {
        byte[] content = hostile.between(0, 8) < 8 ? hostile.variantOf(BATCH)
                : hostile.oneOf("handler: echo\nitems: [1, 2]\n", "handler: [echo\n",
                        "a: &a [x, x]\nb: [*a, *a]\nhandler: echo\n", "handler: !!java.lang.Runtime echo\n",
                        "handler: echo\n\tsettings: {}\n", "handler: echo\nsettings: {a: *missing}\n", "--- \n...\n",
                        "handler: echo\nretry: {backoffCoefficient: .nan}\n",
                        "handler: echo\ntimeout: 9999999999999999d\n", "%YAML 9.9\n---\nhandler: echo\n")
                        .getBytes(StandardCharsets.UTF_8);
        return new BatchFile(content, hostile.oneOf(".json", ".yaml"));
    }

    /** Up to five lines, each a hostile variant of a valid item. */
    private static byte[] jsonLines(HostileInputs hostile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : hostile.listOf(5, () -> hostile.variantOf(ITEM))) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Up to eight headers with the names dead-letter readers look for (and another), of any value or none. */
    private static RecordHeaders deadLetterHeaders(HostileInputs hostile) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = hostile.between(0, 8); i > 0; i--) {
            String name = hostile.oneOf("fanout.dlt.reason", "fanout.dlt.original-topic",
                    "fanout.dlt.original-partition", "fanout.dlt.original-offset", "fanout.dlt.attempts",
                    "fanout.dlt.last-failure", "fanout.item-index", "fanout.batch-id",
                    DeadLetterHeaders.SPRING_ORIGINAL_TOPIC, DeadLetterHeaders.SPRING_ORIGINAL_PARTITION,
                    DeadLetterHeaders.SPRING_ORIGINAL_OFFSET, DeadLetterHeaders.CONNECT_TOPIC,
                    DeadLetterHeaders.CONNECT_PARTITION, DeadLetterHeaders.CONNECT_OFFSET, "x-other");
            byte[] value = switch (hostile.between(0, 2)) {
                case 0 -> hostile.bytes();
                case 1 -> hostile.oneOf("7", "-1", "99999999999999999999", "2026-12-07T00:00:00Z", "x", "", " 3 ")
                        .getBytes(StandardCharsets.UTF_8);
                default -> null;
            };
            headers.add(name, value);
        }
        return headers;
    }
}
