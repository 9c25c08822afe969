package dev.fanout.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdminChainTopicsTest {

    private final AtomicInteger listings = new AtomicInteger();
    private final List<String> created = new ArrayList<>();

    @Test
    void aTopicListedAtStartIsReadyAtDecisionWithoutAnotherAdminCall() {
        AdminChainTopics chainTopics = new AdminChainTopics(() -> listings.incrementAndGet() == 1
                ? CompletableFuture.completedFuture(Set.of("orders.done"))
                : new CompletableFuture<>(), // the admin stops answering: a lookup now would wait the timeout
                this::create, () -> { });

        assertThat(chainTopics.ensure("orders.done")).isTrue();
        assertThat(listings).hasValue(1);
        assertThat(created).isEmpty();
    }

    @Test
    void aMissingTopicIsCreatedOnceFromTheBatchsRegistrationAndIsReadyAtItsDecision() {
        AdminChainTopics chainTopics = new AdminChainTopics(() -> {
            listings.incrementAndGet();
            return CompletableFuture.completedFuture(Set.of());
        }, this::create, () -> { });

        chainTopics.prepare("orders.next");
        assertThat(created).containsExactly("orders.next");

        assertThat(chainTopics.ensure("orders.next")).isTrue();
        assertThat(chainTopics.ensure("orders.next")).isTrue();
        assertThat(created).containsExactly("orders.next");
    }

    @Test
    void aTopicThatCouldNotBeCreatedIsTriedAgainAtTheNextDecision() {
        AtomicInteger attempts = new AtomicInteger();
        AdminChainTopics chainTopics = new AdminChainTopics(() -> CompletableFuture.completedFuture(Set.of()),
                topic -> attempts.incrementAndGet() == 1
                        ? CompletableFuture.failedFuture(new IllegalStateException("not authorized"))
                        : CompletableFuture.completedFuture(null), () -> { });

        assertThat(chainTopics.ensure("orders.next")).isFalse();
        assertThat(chainTopics.ensure("orders.next")).isTrue();
        assertThat(attempts).hasValue(2);
    }

    private CompletableFuture<Void> create(String topic) {
        created.add(topic);
        return CompletableFuture.completedFuture(null);
    }
}
