package dev.fanout.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.InvalidItemException;
import dev.fanout.dispatcher.QueueBounds;
import dev.fanout.dispatcher.HandlerNames;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.JobRecord;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ItemPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void aQueueTimeoutGivesEveryJobAnExpiryAfterItWasPublished() {
        BatchSpec spec = BatchSpec.of("echo").withBatchId("b1").withQueue(new QueueBounds(null, Duration.ofMinutes(10)));
        ItemPlanner planner = new ItemPlanner(spec, catalog());

        JobRecord job = planner.plan(0, DispatchItem.of(IntNode.valueOf(1)), null, NOW, () -> "").job();
        JobRecord later = planner.restamp(planner.plan(1, DispatchItem.of(IntNode.valueOf(2)), null, NOW, () -> ""),
                NOW.plusSeconds(30)).job();

        assertThat(job.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        assertThat(later.createdAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(later.expiresAt()).isEqualTo(NOW.plusSeconds(30).plus(Duration.ofMinutes(10)));
        assertThat(Envelopes.decode(Envelopes.encode(job), JobRecord.class)).isEqualTo(job);
        assertThat(job.isExpiredAt(NOW.plus(Duration.ofMinutes(10)))).isFalse();
        assertThat(job.isExpiredAt(NOW.plus(Duration.ofMinutes(10)).plusMillis(1))).isTrue();
    }

    @Test
    void withoutAQueueTimeoutAJobNeverExpiresAndItsRecordLeavesTheFieldOut() {
        ItemPlanner planner = new ItemPlanner(BatchSpec.of("echo").withBatchId("b1"), catalog());

        JobRecord job = planner.plan(0, DispatchItem.of(IntNode.valueOf(1)), null, NOW, () -> "").job();

        assertThat(job.expiresAt()).isNull();
        assertThat(new String(Envelopes.encode(job), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("expiresAt");
    }

    @Test
    void anInvalidItemNamesItsLineAndIndexAndARejectedIdStaysFree() {
        ItemPlanner planner = new ItemPlanner(BatchSpec.of("echo").withBatchId("b1").withKeyField("/k"), catalog());
        DispatchItem keyless = new DispatchItem("a", null, null, null, IntNode.valueOf(1));

        assertThatThrownBy(() -> planner.plan(4, keyless, null, NOW, () -> "stdin line 7"))
                .isInstanceOf(InvalidItemException.class)
                .hasMessage("stdin line 7, item 4 (id a): keyField /k is missing or not a value in the payload; add"
                        + " it, or give the item a 'key'")
                .extracting(error -> ((InvalidItemException) error).position())
                .isEqualTo("stdin line 7, item 4 (id a)");
        DispatchItem keyed = new DispatchItem("a", "k1", null, null, IntNode.valueOf(1));
        assertThat(planner.plan(4, keyed, null, NOW, () -> "stdin line 8").key()).isEqualTo("k1");
    }

    private static HandlerNames catalog() {
        return dev.fanout.dispatcher.TestCatalogs.names("echo");
    }
}
