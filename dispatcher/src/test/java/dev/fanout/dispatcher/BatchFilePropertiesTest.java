package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.ConfigException;
import dev.fanout.dispatcher.dlq.DeadLetterHeaders;
import dev.fanout.testkit.HostileJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Property tests (jqwik) of the dispatcher's parsers: any batch file (YAML or JSON) gives a spec and items or a
 * {@link ConfigException} (an {@link InvalidItemException} for an item), any JSON Lines input gives items or an
 * {@link InvalidItemException} naming its line, and any dead-letter headers give a context; never another exception.
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

    @Property(tries = 250)
    void anyBatchFileGivesASpecOrAConfigError(@ForAll("batchFiles") byte[] content, @ForAll("names") String name)
            throws IOException {
        Path file = Files.createTempFile("batch", name);
        Files.write(file, content);
        try {
            BatchSpec.File read = BatchSpec.File.read(file);
            assertThat(read.spec().handler()).isNotBlank();
            if (read.items() != null) {
                InlineItems items = new InlineItems(read.items());
                while (items.next() != null) {
                    // every item is read
                }
            }
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("com.fasterxml").doesNotContain("Exception:");
        } finally {
            Files.delete(file);
        }
    }

    @Property(tries = 200)
    void anyJsonLinesGiveItemsOrAnErrorNamingTheLine(@ForAll("jsonLines") byte[] content) {
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
    }

    @Property(tries = 200)
    void anyDeadLetterHeadersGiveAContext(@ForAll("headerNames") List<String> names,
            @ForAll("headerValues") List<byte[]> values) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < Math.min(names.size(), values.size()); i++) {
            headers.add(names.get(i), values.get(i));
        }
        assertThat(DeadLetterHeaders.read(headers, Instant.EPOCH)).isNotNull();
        headers.forEach(header -> assertThat(DeadLetterHeaders.display(header)).isNotNull());
    }

    @Provide
    Arbitrary<byte[]> batchFiles() {
        Arbitrary<byte[]> yaml = Arbitraries.of("handler: echo\nitems: [1, 2]\n", "handler: [echo\n",
                "a: &a [x, x]\nb: [*a, *a]\nhandler: echo\n", "handler: !!java.lang.Runtime echo\n",
                "handler: echo\n\tsettings: {}\n", "handler: echo\nsettings: {a: *missing}\n", "--- \n...\n",
                "handler: echo\nretry: {backoffCoefficient: .nan}\n", "handler: echo\ntimeout: 9999999999999999d\n",
                "%YAML 9.9\n---\nhandler: echo\n").map(text -> text.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, HostileJson.variantsOf(BATCH)),
                net.jqwik.api.Tuple.of(1, yaml));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.of(".json", ".yaml");
    }

    @Provide
    Arbitrary<byte[]> jsonLines() {
        Arbitrary<byte[]> line = HostileJson.variantsOf("{\"payload\":{\"x\":1},\"id\":\"a\",\"key\":\"k\"}");
        return line.list().ofMaxSize(5).map(lines -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            lines.forEach(bytes -> {
                out.writeBytes(bytes);
                out.write('\n');
            });
            return out.toByteArray();
        });
    }

    @Provide
    Arbitrary<List<String>> headerNames() {
        return Arbitraries.of("fanout.dlt.reason", "fanout.dlt.original-topic", "fanout.dlt.original-partition",
                "fanout.dlt.original-offset", "fanout.dlt.attempts", "fanout.dlt.last-failure", "fanout.item-index",
                "fanout.batch-id", DeadLetterHeaders.SPRING_ORIGINAL_TOPIC, DeadLetterHeaders.SPRING_ORIGINAL_PARTITION,
                DeadLetterHeaders.SPRING_ORIGINAL_OFFSET, DeadLetterHeaders.CONNECT_TOPIC,
                DeadLetterHeaders.CONNECT_PARTITION, DeadLetterHeaders.CONNECT_OFFSET, "x-other").list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<byte[]>> headerValues() {
        Arbitrary<byte[]> texts = Arbitraries.of("7", "-1", "99999999999999999999", "2026-12-07T00:00:00Z", "x", "",
                " 3 ").map(text -> text.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(HostileJson.bytes(), texts, Arbitraries.just((byte[]) null)).list().ofMaxSize(8);
    }

}
