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
 * started, so it is set to {@code earliest}; its isolation level is set to {@code read_committed}, as the consumer
 * group's (the aggregator writes compensation jobs in transactions); and reads the group's {@code share.delivery.count.limit}, past which the
 * broker archives a record instead of delivering it again.
 */
public final class ShareGroupSetup {

    public static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    /** Read only committed records, as the consumer group does: the aggregator writes compensation jobs in transactions. */
    public static final String ISOLATION_LEVEL = "share.isolation.level";
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
                admin.incrementalAlterConfigs(Map.of(group, List.of(
                        new AlterConfigOp(new ConfigEntry(AUTO_OFFSET_RESET, "earliest"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry(ISOLATION_LEVEL, "read_committed"),
                                AlterConfigOp.OpType.SET))))
                        .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("could not set {}=earliest and {}=read_committed on share group {} ({}); items dispatched "
                        + "before its first worker started are skipped, and compensation jobs of aborted transactions "
                        + "may run, unless they are set: kafka-configs --alter --entity-type groups --entity-name {} "
                        + "--add-config {}=earliest,{}=read_committed", AUTO_OFFSET_RESET, ISOLATION_LEVEL,
                        shareGroupId, e.toString(), shareGroupId, AUTO_OFFSET_RESET, ISOLATION_LEVEL);
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
