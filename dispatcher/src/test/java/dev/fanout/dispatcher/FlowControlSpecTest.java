package dev.fanout.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.ConfigException;
import dev.fanout.protocol.Lane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowControlSpecTest {

    @TempDir
    Path dir;

    @Test
    void theWindowPacingAndQueueFieldsAreReadFromABatchFile() throws Exception {
        BatchSpec spec = BatchSpec.File.read(BatchSpecTest.resource("flow.yaml")).spec();

        assertThat(spec.priority()).isEqualTo(Lane.LOW);
        assertThat(spec.maxConcurrency()).isEqualTo(5);
        assertThat(spec.batchSize()).isEqualTo(100);
        assertThat(spec.delayBetweenBatches()).isEqualTo(Duration.ofSeconds(2));
        assertThat(spec.rateLimit()).isEqualTo(250.5);
        assertThat(spec.queue().maxSize()).isEqualTo(10_000L);
        assertThat(spec.queue().timeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void absentFlowFieldsMeanNoWindowNoPacingAndNoQueueBounds() {
        BatchSpec spec = BatchSpec.of("echo");

        assertThat(spec.maxConcurrency()).isNull();
        assertThat(spec.batchSize()).isNull();
        assertThat(spec.rateLimit()).isNull();
        assertThat(spec.queue()).isEqualTo(QueueBounds.none());
    }

    @Test
    void anImpossibleMaxConcurrencyNamesTheFieldAndTheRule() {
        assertThatThrownBy(() -> read("handler: echo\nmaxConcurrency: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.yaml: maxConcurrency must be a whole number >= 1 (items of the batch"
                        + " published and without a result at once), was 0");
        assertThatThrownBy(() -> read("handler: echo\nmaxConcurrency: 2.5\n"))
                .hasMessageContaining("field 'maxConcurrency' has the wrong value '2.5': expected a whole number");
    }

    @Test
    void batchSizeAndDelayBetweenBatchesGoTogether() {
        assertThatThrownBy(() -> read("handler: echo\nbatchSize: 100\n"))
                .hasMessageContaining("batchSize and delayBetweenBatches go together (publish batchSize items, then"
                        + " pause delayBetweenBatches), but only batchSize was given");
        assertThatThrownBy(() -> read("handler: echo\ndelayBetweenBatches: 1s\n"))
                .hasMessageContaining("but only delayBetweenBatches was given");
        assertThatThrownBy(() -> read("handler: echo\nbatchSize: 0\ndelayBetweenBatches: 1s\n"))
                .hasMessageContaining("batchSize must be a whole number >= 1, was 0");
        assertThatThrownBy(() -> read("handler: echo\nbatchSize: 10\ndelayBetweenBatches: 0s\n"))
                .hasMessageContaining("delayBetweenBatches must be a positive duration such as 500ms or 2s, was 0s");
        assertThatThrownBy(() -> read("handler: echo\nbatchSize: 10\ndelayBetweenBatches: soon\n"))
                .hasMessageContaining("delayBetweenBatches must be a duration such as 250ms, 30s, 5m or PT1M, was"
                        + " 'soon'");
    }

    @Test
    void aRateLimitMustBeAPositiveNumberOfItemsPerSecond() {
        assertThatThrownBy(() -> read("handler: echo\nrateLimit: -5\n"))
                .hasMessageContaining("rateLimit must be a number of items per second > 0, was -5.0");
        assertThatThrownBy(() -> read("handler: echo\nrateLimit: fast\n"))
                .hasMessageContaining("field 'rateLimit' has the wrong value 'fast': expected a number");
    }

    @Test
    void queueBoundsAreCheckedByTheirFullName() {
        assertThatThrownBy(() -> read("handler: echo\nqueue: {maxSize: 0}\n"))
                .hasMessageContaining("queue.maxSize must be a whole number >= 1 (records of backlog), was 0");
        assertThatThrownBy(() -> read("handler: echo\nqueue: {timeout: 0s}\n"))
                .hasMessageContaining("queue.timeout must be a positive duration such as 30s or 10m, was 0s");
        assertThatThrownBy(() -> read("handler: echo\nqueue: {maxsize: 10}\n"))
                .hasMessageContaining("unknown field 'queue.maxsize'; known fields here: maxSize, timeout");
    }

    private BatchSpec read(String yaml) throws Exception {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, yaml);
        return BatchSpec.File.read(file).spec();
    }
}
