package dev.fanout.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.handler.PermanentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WordCountHandlerTest {

    @Test
    void theServiceLoaderFindsTheHandlerByItsName() {
        assertThat(HandlerCatalog.load().find("word-count")).isPresent();
    }

    @Test
    void wordsAreCountedCaseInsensitivelyByDefault() throws Exception {
        JsonNode output = HandlerCatalog.load().find("word-count").orElseThrow()
                .create(JsonNodeFactory.instance.objectNode())
                .handle(item(JsonNodeFactory.instance.objectNode().put("text", "The cat saw the other cat.")));

        assertThat(output.get("the").asInt()).isEqualTo(2);
        assertThat(output.get("cat").asInt()).isEqualTo(2);
        assertThat(output.get("saw").asInt()).isEqualTo(1);
    }

    @Test
    void anItemWithoutTextFailsPermanentlyAndBadSettingsAreNamed() {
        var handler = new WordCountHandlerProvider().create(JsonNodeFactory.instance.objectNode());
        assertThatThrownBy(() -> handler.handle(item(JsonNodeFactory.instance.objectNode())))
                .isInstanceOf(PermanentException.class).hasMessage("item 0 has no text to count");
        assertThatThrownBy(() -> new WordCountHandlerProvider().create(
                JsonNodeFactory.instance.objectNode().put("lowercase", "yes")))
                .hasMessage("word-count.lowercase must be true or false, was \"yes\"");
    }

    private static Item item(JsonNode payload) {
        return new Item(payload, JsonNodeFactory.instance.objectNode(),
                new ItemContext("b", "0", 0, 1, null, 1, 1, "trace-b-0", Instant.MAX, "word-count"));
    }
}
