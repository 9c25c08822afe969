package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.ChainTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChainTopics} on the cluster's admin API, asynchronous, so a stream thread rarely waits on it: the cluster's
 * topics are listed once when the aggregator starts (so the chaining topics of batches restored from the stores are
 * known before their decisions), and a topic a new batch names is looked up (and created with the broker's default
 * partitions and replication when missing) as soon as the batch is registered. Every answer is remembered. A decision
 * waits only for a topic whose check has not finished yet, at most {@link #TIMEOUT}, well inside the exactly-once
 * transaction timeout; a failed check is retried the next time. Thread-safe.
 */
public final class AdminChainTopics implements ChainTopics, AutoCloseable {

    /** How long a decision may wait for its chaining topic. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(AdminChainTopics.class);
    private static final CompletableFuture<Void> EXISTS = CompletableFuture.completedFuture(null);

    private final Supplier<CompletableFuture<Set<String>>> lister;
    private final Function<String, CompletableFuture<Void>> creator;
    private final Runnable closer;
    private final Map<String, CompletableFuture<Void>> topics = new ConcurrentHashMap<>();

    public AdminChainTopics(Map<String, Object> clientProperties) {
        this(Admin.create(Objects.requireNonNull(clientProperties, "clientProperties")));
    }

    private AdminChainTopics(Admin admin) {
        this(() -> admin.listTopics().names().toCompletionStage().toCompletableFuture(),
                topic -> create(admin, topic), () -> admin.close(Duration.ofSeconds(5)));
    }

    /**
     * @param lister  lists the cluster's topics, without blocking
     * @param creator creates a topic, without blocking; completes normally if it exists already
     */
    AdminChainTopics(Supplier<CompletableFuture<Set<String>>> lister, Function<String, CompletableFuture<Void>> creator,
            Runnable closer) {
        this.lister = lister;
        this.creator = creator;
        this.closer = closer;
        lister.get().whenComplete((names, error) -> {
            if (error == null) {
                names.forEach(name -> topics.putIfAbsent(name, EXISTS));
            } else {
                log.warn("could not list the cluster's topics ({}); chaining topics are checked one by one",
                        error.toString());
            }
        });
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
        return topics.computeIfAbsent(topic, name -> lister.get()
                .thenCompose(names -> names.contains(name) ? EXISTS : creator.apply(name)));
    }

    private static CompletableFuture<Void> create(Admin admin, String topic) {
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
        closer.run();
    }
}
