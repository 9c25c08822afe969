package dev.fanout.ops;

import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the services' Dropwizard metric names become Prometheus names and labels: the one table both sides follow.
 * Services name their metrics {@code worker.<workerId>.handler.<handler>.failed.<reason>} and so on; each glob here
 * ({@code *} is one dot-free segment) turns such a name into {@code fanout_...} with the segments as labels. Labels
 * come from closed sets (worker, handler, lane, status, reason), never batch or item ids.
 */
public final class MetricNames {

    /** Every exported name starts with this. */
    public static final String PREFIX = "fanout_";

    private static final List<MapperConfig> MAPPINGS = List.of(
            // worker: items by event, per handler, dead letters by reason, retries, slots
            map("worker.*.items.*", "fanout_worker_items", "worker", "event"),
            map("worker.*.handler.*.succeeded", "fanout_worker_handler_succeeded", "worker", "handler"),
            map("worker.*.handler.*.failed.*", "fanout_worker_handler_failed", "worker", "handler", "reason"),
            map("worker.*.handler.*.latency", "fanout_worker_handler_latency_seconds", "worker", "handler"),
            map("worker.*.handler.*.duration", "fanout_worker_handler_duration_seconds", "worker", "handler"),
            map("worker.*.dead-letters.*", "fanout_worker_dead_letters", "worker", "reason"),
            map("worker.*.retries.*", "fanout_worker_retries", "worker", "kind"),
            map("worker.*.retry-tier.*", "fanout_worker_retries_by_tier", "worker", "tier"),
            map("worker.*.poison", "fanout_worker_poison_records", "worker"),
            map("worker.*.item.latency", "fanout_worker_item_latency_seconds", "worker"),
            map("worker.*.in-flight", "fanout_worker_in_flight", "worker"),
            map("worker.*.concurrency.limit", "fanout_worker_slots", "worker"),
            map("worker.*.slots.running", "fanout_worker_slots_running", "worker"),
            map("worker.*.slots.busy-seconds", "fanout_worker_busy_slot_seconds", "worker"),
            // the broker command
            map("broker.*", "fanout_broker_${0}"),
            // dispatcher
            // (a glob needs a '*': client_java's mapper passes over a name without one)
            map("dispatcher.items.*", "fanout_dispatcher_items_${0}"),
            // aggregator
            map("aggregator.decisions.*", "fanout_aggregator_decisions", "status"),
            map("aggregator.decision.*", "fanout_aggregator_decision_${0}_seconds"),
            map("aggregator.*", "fanout_aggregator_${0}"),
            map("aggregator.*.*", "fanout_aggregator_${0}_${1}"));

    private MetricNames() {
    }

    private static final List<java.util.regex.Pattern> GLOBS = MAPPINGS.stream()
            .map(config -> java.util.regex.Pattern.compile(
                    config.getMatch().replace(".", "\\.").replace("*", "[^.]+")))
            .toList();

    /** Whether a Dropwizard metric of this name is exported (some mapping covers it). */
    public static boolean exported(String dropwizardName) {
        return GLOBS.stream().anyMatch(glob -> glob.matcher(dropwizardName).matches());
    }

    /** The mappings, first match wins. */
    public static List<MapperConfig> mappings() {
        return MAPPINGS;
    }

    /** A name segment that is safe in a Dropwizard name matched by the globs: no dots, no spaces. */
    public static String segment(String value) {
        return value.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** A label value as it reads in Prometheus ({@code RETRIES_EXHAUSTED} becomes {@code retries_exhausted}). */
    public static String labelValue(String value) {
        return segment(value).toLowerCase(Locale.ROOT);
    }

    private static MapperConfig map(String match, String name, String... labels) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            values.put(labels[i], "${" + i + "}");
        }
        return new MapperConfig(match, name, values);
    }
}
