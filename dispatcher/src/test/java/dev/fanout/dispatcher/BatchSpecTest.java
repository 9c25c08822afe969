package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.ConfigException;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.PartialFailurePolicy;
import dev.fanout.protocol.Strategy;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSpecTest {

    @Test
    void aBatchFileIsReadWithItsPolicyAndInlineItems() throws Exception {
        BatchSpec.File file = BatchSpec.File.read(resource("good.yaml"));

        assertThat(file.spec().batchId()).isEqualTo("orders-1");
        assertThat(file.spec().priority()).isEqualTo(Lane.HIGH);
        assertThat(file.spec().keyField()).isEqualTo("/customer");
        assertThat(file.spec().policy().strategy()).isEqualTo(Strategy.BEST_EFFORT);
        assertThat(file.spec().policy().minSuccessRate()).isEqualTo(0.9);
        assertThat(file.spec().policy().onPartialFailure()).isEqualTo(PartialFailurePolicy.COLLECT);
        assertThat(file.spec().policy().totalTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(file.items()).hasSize(3);
    }

    @Test
    void anUnknownFieldIsRefusedWithTheKnownOnesListed() {
        assertThatThrownBy(() -> BatchSpec.File.read(resource("unknown-field.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown-field.yaml: unknown field 'polcy'")
                .hasMessageContaining("known fields here: batchId, batchSize, compensation, deadLetterQueue,"
                        + " delayBetweenBatches, handler, keyField, maxConcurrency, onTimeout, outputSchema, policy,"
                        + " priority, queue, rateLimit, retry, settings, timeout");
    }

    @Test
    void anImpossiblePolicyValueNamesTheFieldTheValueAndTheRule() {
        assertThatThrownBy(() -> BatchSpec.File.read(resource("bad-rate.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policy.minSuccessRate must be between 0 and 1, was 1.5");
        assertThatThrownBy(() -> BatchSpec.File.read(resource("bad-strategy.yaml")))
                .hasMessageContaining("policy.strategy must be one of wait_all, fail_fast, best_effort, race,"
                        + " was 'all_of_them'");
    }

    @Test
    void aWrongTypeNamesTheFieldAndTheExpectedType() {
        assertThatThrownBy(() -> BatchSpec.File.read(resource("wrong-type.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policy.minSuccessRate")
                .hasMessageContaining("expected a number");
    }

    @Test
    void malformedJsonIsRefusedWithItsPosition() {
        assertThatThrownBy(() -> BatchSpec.File.read(resource("malformed.json")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("malformed.json: not valid JSON")
                .hasMessageContaining("line ");
    }

    @Test
    void aMissingHandlerOrABadBatchIdIsRefused() {
        assertThatThrownBy(() -> BatchSpec.of(" "))
                .hasMessageContaining("handler is required");
        assertThatThrownBy(() -> BatchSpec.of("echo").withBatchId("has spaces"))
                .hasMessageContaining("batchId may hold 1 to 128 letters");
        assertThatThrownBy(() -> BatchSpec.of("echo").withKeyField("customer"))
                .hasMessageContaining("keyField must be a JSON pointer starting with '/'");
    }

    @Test
    void aMissingFileIsReportedAsSuch() {
        assertThatThrownBy(() -> BatchSpec.File.read(Path.of("no-such-batch.yaml")))
                .hasMessage("no-such-batch.yaml: no such file");
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(BatchSpecTest.class.getResource("/batches/" + name).toURI());
    }
}
