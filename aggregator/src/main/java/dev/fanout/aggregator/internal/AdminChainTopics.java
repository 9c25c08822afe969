package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.ChainTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChainTopics} on the cluster's admin API, asynchronous: a topic is looked up (and created with the broker's
 * default partitions and replication when missing) as soon as a batch names it, and the answer is remembered. A
 * decision waits at most {@link #TIMEOUT} for it, well inside the exactly-once transaction timeout; a failed check is
 * retried the next time. Thread-safe.
 */
public final class AdminChainTopics implements ChainTopics, AutoCloseable {

    /** How long a decision may wait for its chaining topic. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(AdminChainTopics.class);

    private final Admin admin;
    private final Map<String, CompletableFuture<Void>> topics = new ConcurrentHashMap<>();

    public AdminChainTopics(Map<String, Object> clientProperties) {
        this.admin = Admin.create(Objects.requireNonNull(clientProperties, "clientProperties"));
    }

    @Override
    public void prepare(String topic) {
        check(topic);
    }

    @Override
    public boolean ensure(String topic) {
        try {
            check(topic).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            topics.remove(topic);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.error("chaining topic {} does not exist and cannot be created ({}); the event is not published",
                    topic, cause.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking chaining topic " + topic, e);
        }
    }

    private CompletableFuture<Void> check(String topic) {
        return topics.computeIfAbsent(topic, name -> admin.listTopics().names().toCompletionStage()
                .toCompletableFuture()
                .thenCompose(names -> names.contains(name) ? CompletableFuture.<Void>completedFuture(null)
                        : create(name)));
    }

    private CompletableFuture<Void> create(String topic) {
        return admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all()
                .toCompletionStage().toCompletableFuture()
                .handle((created, error) -> {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause == null) {
                        log.info("created chaining topic {} (broker default partitions and replication)", topic);
                    } else if (!(cause instanceof TopicExistsException)) {
                        throw new CompletionException(cause);
                    }
                    return null;
                });
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
