package dev.fanout.worker.internal;

import dev.fanout.config.KafkaSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the worker group's share group before its first fetch: a share group starts at the end of its topics by
 * default ({@code share.auto.offset.reset=latest}), which would skip every item dispatched before the first worker
 * started, so it is set to {@code earliest}; and reads the group's {@code share.delivery.count.limit}, past which the
 * broker archives a record instead of delivering it again.
 */
public final class ShareGroupSetup {

    public static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    /** Kafka's default {@code group.share.delivery.count.limit}. */
    public static final int DEFAULT_DELIVERY_LIMIT = 5;
    private static final Logger log = LoggerFactory.getLogger(ShareGroupSetup.class);
    private static final long TIMEOUT_SECONDS = 30;

    private ShareGroupSetup() {
    }

    /** Sets the group to start at the earliest record and returns its delivery count limit. */
    public static int prepare(KafkaSettings kafka, String shareGroupId) {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, shareGroupId);
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            try {
                admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                        new ConfigEntry(AUTO_OFFSET_RESET, "earliest"), AlterConfigOp.OpType.SET))))
                        .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("could not set {}=earliest on share group {} ({}); items dispatched before its first worker "
                        + "started are skipped unless it is set: kafka-configs --alter --entity-type groups "
                        + "--entity-name {} --add-config {}=earliest", AUTO_OFFSET_RESET, shareGroupId, e.toString(),
                        shareGroupId, AUTO_OFFSET_RESET);
            }
            try {
                Config config = admin.describeConfigs(List.of(group)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .get(group);
                ConfigEntry limit = config == null ? null : config.get(DELIVERY_COUNT_LIMIT);
                return limit == null || limit.value() == null ? DEFAULT_DELIVERY_LIMIT
                        : Integer.parseInt(limit.value());
            } catch (ExecutionException | TimeoutException | NumberFormatException e) {
                log.warn("could not read {} of share group {} ({}); assuming {}", DELIVERY_COUNT_LIMIT, shareGroupId,
                        e.toString(), DEFAULT_DELIVERY_LIMIT);
                return DEFAULT_DELIVERY_LIMIT;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing share group " + shareGroupId, e);
        }
    }
}
