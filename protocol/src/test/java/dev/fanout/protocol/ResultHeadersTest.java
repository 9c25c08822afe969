package dev.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ResultHeadersTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void aResultsHeadersCarryItsBatchIndexAndStatus() {
        Headers headers = new RecordHeaders();
        ResultHeaders.put(headers, result(1_234_567L, ItemStatus.TIMED_OUT));

        assertThat(FanoutHeaders.text(headers, FanoutHeaders.BATCH_ID)).contains("b-1");
        assertThat(ResultHeaders.summary(headers))
                .contains(new ResultHeaders.Summary(1_234_567L, ItemStatus.TIMED_OUT));
    }

    @Test
    void aRecordWithoutTheStatusHeaderHasNoSummary() {
        Headers headers = new RecordHeaders();
        FanoutHeaders.put(headers, FanoutHeaders.ITEM_INDEX, 7);

        assertThat(ResultHeaders.summary(headers)).isEmpty();
    }

    @Test
    void anIndexOrStatusThatIsNotValidGivesNoSummary() {
        Headers badIndex = new RecordHeaders();
        FanoutHeaders.put(badIndex, FanoutHeaders.ITEM_INDEX, "-7");
        FanoutHeaders.put(badIndex, ResultHeaders.ITEM_STATUS, "SUCCEEDED");
        Headers badStatus = new RecordHeaders();
        FanoutHeaders.put(badStatus, FanoutHeaders.ITEM_INDEX, 7);
        badStatus.add(ResultHeaders.ITEM_STATUS, "DONE".getBytes(StandardCharsets.UTF_8));

        assertThat(ResultHeaders.summary(badIndex)).isEmpty();
        assertThat(ResultHeaders.summary(badStatus)).isEmpty();
    }

    private static ItemResult result(long index, ItemStatus status) {
        return new ItemResult(Envelopes.SCHEMA_VERSION, "b-1", "item", index, status,
                status.isSuccess() ? null : FailureReason.TIMEOUT, null, null, 1, NOW, NOW, 0, "w-1", false, "t");
    }
}
