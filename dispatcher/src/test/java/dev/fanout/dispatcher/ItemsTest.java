package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.StrictMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemsTest {

    @TempDir
    Path dir;

    @Test
    void jsonLinesAreReadOneItemPerLineSkippingBlankLines() {
        JsonLinesItems items = JsonLinesItems.of(stream("{\"a\":1}\n\n42\n{\"payload\":{\"b\":2},\"id\":\"x\"}\n"),
                "stdin");
        assertThat(items.next().payload().get("a").asInt()).isEqualTo(1);
        assertThat(items.next().payload().asInt()).isEqualTo(42);
        DispatchItem third = items.next();
        assertThat(third.id()).isEqualTo("x");
        assertThat(third.payload().get("b").asInt()).isEqualTo(2);
        assertThat(items.next()).isNull();
    }

    @Test
    void anInvalidLineIsReportedWithItsLineNumber() {
        JsonLinesItems items = JsonLinesItems.of(stream("{\"a\":1}\n{\"a\":\n"), "stdin");
        items.next();
        assertThatThrownBy(items::next)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("stdin line 2: not valid JSON");
    }

    @Test
    void aFileIsValidatedAndCountedBeforeItIsRead() throws Exception {
        Path file = dir.resolve("items.jsonl");
        Files.writeString(file, "1\n2\n3\n");
        assertThat(JsonLinesItems.validatedFile(file).size()).hasValue(3);

        Files.writeString(file, "1\n{\"payload\": 2, \"colour\": \"red\"}\n");
        assertThatThrownBy(() -> JsonLinesItems.validatedFile(file))
                .hasMessageContaining("items.jsonl line 2: unknown item field 'colour'");
    }

    @Test
    void validationRefusesAnUnknownHandlerADuplicateIdAndAMissingKeyBeforePublishing() {
        KafkaSettings unreachable = KafkaSettings.of("127.0.0.1:1");
        try (Dispatcher dispatcher = new Dispatcher(unreachable, TestCatalogs.of("echo"), new MetricRegistry(),
                InstantSource.system())) {
            assertThatThrownBy(() -> dispatcher.validate(BatchSpec.of("ech0"), inline("[1]")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("handler 'ech0' is unknown; known handlers: echo (the handler types on this"
                            + " classpath); a custom handler's jar must be on the classpath");
            assertThatThrownBy(() -> dispatcher.validate(BatchSpec.of("echo"),
                    inline("[{\"payload\":1,\"handler\":\"nope\"}]")))
                    .hasMessageContaining("item 0: handler 'nope' is unknown");
            assertThatThrownBy(() -> dispatcher.validate(BatchSpec.of("echo"),
                    inline("[{\"payload\":1,\"id\":\"a\"},{\"payload\":2,\"id\":\"a\"}]")))
                    .hasMessageContaining("item 1 (id a): id 'a' is used twice");
            assertThatThrownBy(() -> dispatcher.validate(BatchSpec.of("echo").withKeyField("/customer"),
                    inline("[{\"customer\":\"c1\"},{\"other\":1}]")))
                    .hasMessageContaining("item 1: keyField /customer is missing");
        }
    }

    @Test
    void withSkipValidationCountsTheValidItemsAndListsWhereTheRejectedOnesAre() throws Exception {
        Path file = dir.resolve("items.jsonl");
        Files.writeString(file, String.join("\n", "{\"a\":1}", "{\"a\":", "", "{\"payload\":1,\"colour\":\"red\"}",
                "{\"a\":2}", "{\"payload\":3,\"handler\":\"nope\"}", "{\"a\":3}") + "\n");
        try (Dispatcher dispatcher = new Dispatcher(KafkaSettings.of("127.0.0.1:1"), TestCatalogs.of("echo"),
                new MetricRegistry(), InstantSource.system())) {
            Validation validation = dispatcher.validate(BatchSpec.of("echo"), JsonLinesItems.file(file),
                    InvalidItemPolicy.SKIP);

            assertThat(validation.items()).isEqualTo(3);
            assertThat(validation.rejected().count()).isEqualTo(3);
            assertThat(validation.rejected().positions()).containsExactly(file + " line 2", file + " line 4",
                    file + " line 6, item 2");
            assertThat(validation.rejected().describe()).isEqualTo("3 items rejected: " + file + " line 2, " + file
                    + " line 4, " + file + " line 6, item 2");
            assertThatThrownBy(() -> dispatcher.validate(BatchSpec.of("echo"), JsonLinesItems.file(file),
                    InvalidItemPolicy.FAIL))
                    .isInstanceOf(InvalidItemException.class)
                    .hasMessageStartingWith(file + " line 2: not valid JSON");
        }
    }

    @Test
    void anInvalidLineIsConsumedSoReadingGoesOnWithTheNextOne() {
        JsonLinesItems items = JsonLinesItems.of(stream("1\n{oops\n3\n"), "stdin");
        items.next();

        assertThatThrownBy(items::next).isInstanceOf(InvalidItemException.class)
                .extracting(error -> ((InvalidItemException) error).position()).isEqualTo("stdin line 2");
        assertThat(items.next().payload().asInt()).isEqualTo(3);
        assertThat(items.position()).isEqualTo("stdin line 3");
        assertThat(items.next()).isNull();
    }

    @Test
    void theRejectedListIsCappedButTheCountIsNot() {
        RejectedItems rejected = RejectedItems.none();
        for (int line = 1; line <= 150; line++) {
            rejected = rejected.plus("stdin line " + line);
        }

        assertThat(rejected.count()).isEqualTo(150);
        assertThat(rejected.positions()).hasSize(RejectedItems.MAX_LISTED);
        assertThat(rejected.describe()).startsWith("150 items rejected: stdin line 1, stdin line 2,")
                .endsWith("stdin line 100 and 50 more");
        assertThat(RejectedItems.none().describe()).isEqualTo("no item rejected");
    }

    @Test
    void anUnknownOnInvalidItemValueNamesTheFlag() {
        assertThat(InvalidItemPolicy.of("Skip")).isEqualTo(InvalidItemPolicy.SKIP);
        assertThatThrownBy(() -> InvalidItemPolicy.of("ignore"))
                .hasMessage("--on-invalid-item must be one of skip, fail, was 'ignore'");
    }

    private static InlineItems inline(String json) {
        try {
            return new InlineItems(StrictMapper.json().readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
