package dev.fanout.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemContext;
import dev.fanout.protocol.TimeoutPolicy;
import dev.fanout.testkit.ManualClock;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.WorkerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HandlerCallTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:00:00Z"));
    private final WorkerMetrics metrics = new WorkerMetrics(new MetricRegistry(), "w");
    private final HandlerCall call = new HandlerCall(metrics, clock);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private final HandlerRegistry.Entry handler = new HandlerRegistry.Entry("slow", "test", item -> {
        started.countDown();
        release.await();
        return TextNode.valueOf("done");
    }, null, null, null);

    @Test
    void anAttemptTimesOutWhenTheWorkersClockPassesItsTimeoutNotTheWallClock() throws Exception {
        CompletableFuture<JsonNode> attempt = runAsync(Duration.ofHours(1), TimeoutPolicy.ERROR);
        started.await();

        clock.advance(Duration.ofHours(1));

        await().until(attempt::isDone);
        assertThatThrownBy(attempt::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(HandlerCall.ItemTimeout.class)
                .hasMessageContaining("handler slow ran past its timeout of 3600000 ms");
    }

    @Test
    void aHandlerThatFinishesBeforeTheClockReachesItsTimeoutReturnsItsOutput() throws Exception {
        CompletableFuture<JsonNode> attempt = runAsync(Duration.ofMinutes(1), TimeoutPolicy.ERROR);
        started.await();

        clock.advance(Duration.ofSeconds(59));
        release.countDown();

        assertThat(attempt.join()).isEqualTo(TextNode.valueOf("done"));
    }

    @Test
    void underContinueTheTimedOutAttemptStillDeliversItsLateOutput() throws Exception {
        CompletableFuture<JsonNode> attempt = runAsync(Duration.ofSeconds(5), TimeoutPolicy.CONTINUE);
        started.await();
        clock.advance(Duration.ofSeconds(5));
        await().until(attempt::isDone);
        HandlerCall.ItemTimeout timeout = (HandlerCall.ItemTimeout) attempt.handle((ok, error) -> error)
                .join();

        release.countDown();

        assertThat(timeout.lateOutcome().join()).isEqualTo(TextNode.valueOf("done"));
        assertThat(metrics.continued().getCount()).isEqualTo(1);
    }

    private CompletableFuture<JsonNode> runAsync(Duration timeout, TimeoutPolicy onTimeout) {
        Item item = new Item(JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode(),
                new ItemContext("b", "0", 0, 1, "k", 1, 1, "t", Instant.MAX, "slow"));
        CompletableFuture<JsonNode> attempt = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                attempt.complete(call.run(handler, item, timeout, onTimeout));
            } catch (Exception e) {
                attempt.completeExceptionally(e);
            }
        });
        return attempt;
    }
}
