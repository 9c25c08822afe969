package dev.fanout.config;

import dev.fanout.protocol.TopicDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the contract's topics at start-up when they are missing. An existing topic with fewer partitions than
 * configured is left alone, with a warning that names both numbers.
 */
public final class TopicInitializer {

    private static final Logger log = LoggerFactory.getLogger(TopicInitializer.class);
    private static final int DEFAULT_TIMEOUT_MS = 30_000;

    private TopicInitializer() {
    }

    /**
     * Ensures every topic exists.
     *
     * @return warnings about existing topics with fewer partitions than configured (also logged)
     * @throws ConfigException if the cluster cannot be reached or refuses to create a topic
     */
    public static List<String> ensure(KafkaSettings settings, Collection<TopicDescriptor<?>> topics) {
        Map<String, Object> adminProps = settings.clientProperties();
        adminProps.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DEFAULT_TIMEOUT_MS);
        long timeoutMs = Long.parseLong(adminProps.get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG).toString());
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (TopicDescriptor<?> topic : topics) {
                if (existing.contains(topic.name())) {
                    present.add(topic.name());
                } else {
                    Map<String, String> configs = new HashMap<>(topic.topicConfigs());
                    if (settings.minInsyncReplicas() != null) {
                        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, settings.minInsyncReplicas().toString());
                    }
                    missing.add(new NewTopic(topic.name(), Optional.of(topic.partitions()),
                            settings.replicationFactor() == KafkaSettings.BROKER_DEFAULT ? Optional.empty()
                                    : Optional.of(settings.replicationFactor())).configs(configs));
                }
            }
            create(admin, missing, timeoutMs);
            awaitLeaders(admin, missing, timeoutMs);
            return checkPartitions(admin, topics, present, timeoutMs);
        } catch (ExecutionException | TimeoutException e) {
            throw KafkaFailures.describe(e, settings, "set up topics");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while setting up topics", e);
        }
    }

    private static void create(Admin admin, List<NewTopic> missing, long timeoutMs) throws InterruptedException, TimeoutException,
            ExecutionException {
        if (missing.isEmpty()) {
            return;
        }
        var futures = admin.createTopics(missing).values();
        for (NewTopic topic : missing) {
            try {
                futures.get(topic.name()).get(timeoutMs, TimeUnit.MILLISECONDS);
                log.info("created topic {} ({} partitions)", topic.name(), topic.numPartitions());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another component creating it at the same time is fine
                }
            }
        }
    }

    /**
     * Waits until the leader of every partition of the new topics serves requests. A creation is acknowledged by the
     * controller before the leader has opened its log; producing in that gap meets NOT_LEADER errors, which an
     * idempotent producer can turn into an endless out-of-order retry. A ListOffsets request is answered only by a
     * serving leader, so its success is the signal.
     */
    private static void awaitLeaders(Admin admin, List<NewTopic> created, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (created.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (NewTopic topic : created) {
            for (int partition = 0; partition < topic.numPartitions(); partition++) {
                partitions.put(new TopicPartition(topic.name(), partition), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                admin.listOffsets(partitions).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the leaders of " + partitions.keySet() + " did not serve within "
                        + timeoutMs + " ms");
            }
            Thread.sleep(50); // the leader opens its logs asynchronously; there is no event to wait on
        }
    }

    private static List<String> checkPartitions(Admin admin, Collection<TopicDescriptor<?>> topics,
            List<String> present, long timeoutMs) throws InterruptedException, ExecutionException, TimeoutException {
        if (present.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(present).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<String> warnings = new ArrayList<>();
        for (TopicDescriptor<?> topic : topics) {
            TopicDescription description = descriptions.get(topic.name());
            if (description != null && description.partitions().size() < topic.partitions()) {
                String warning = "topic " + topic.name() + " exists with " + description.partitions().size()
                        + " partitions, fewer than the " + topic.partitions() + " configured; Fanout uses it as it is"
                        + " (add partitions with kafka-topics --alter to use the configured number)";
                log.warn(warning);
                warnings.add(warning);
            }
        }
        return warnings;
    }
}
