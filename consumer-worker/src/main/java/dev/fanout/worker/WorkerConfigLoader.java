package dev.fanout.worker;

import static dev.fanout.worker.WorkerConfig.AUTO_CONCURRENCY;
import static dev.fanout.worker.WorkerConfig.BULKHEADS;
import static dev.fanout.worker.WorkerConfig.COMMIT_INTERVAL;
import static dev.fanout.worker.WorkerConfig.DRAIN_TIMEOUT;
import static dev.fanout.worker.WorkerConfig.GROUP_ID;
import static dev.fanout.worker.WorkerConfig.HANDLERS;
import static dev.fanout.worker.WorkerConfig.HEARTBEAT_INTERVAL;
import static dev.fanout.worker.WorkerConfig.HTTP_HOST;
import static dev.fanout.worker.WorkerConfig.HTTP_PORT;
import static dev.fanout.worker.WorkerConfig.GROUP;
import static dev.fanout.worker.WorkerConfig.LANES;
import static dev.fanout.worker.WorkerConfig.LANE_GROUP;
import static dev.fanout.worker.WorkerConfig.LANE_PRIORITY;
import static dev.fanout.worker.WorkerConfig.LANE_WEIGHTS;
import static dev.fanout.worker.WorkerConfig.MAX_BUFFERED;
import static dev.fanout.worker.WorkerConfig.MAX_CONCURRENCY;
import static dev.fanout.worker.WorkerConfig.MAX_RECORD_BYTES;
import static dev.fanout.worker.WorkerConfig.ORDERING;
import static dev.fanout.worker.WorkerConfig.RATE_LIMITERS;
import static dev.fanout.worker.WorkerConfig.WORKER_ID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.StrictMapper;
import dev.fanout.protocol.Lane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads a {@link WorkerConfig} from a YAML (or JSON) file, then the environment ({@code FANOUT_WORKER_<PROPERTY>},
 * e.g. {@code FANOUT_WORKER_MAX_CONCURRENCY}), then flags: each later source overrides the earlier ones for the
 * simple properties. Every error names where the value came from, the property and the rule.
 *
 * <pre>
 * maxConcurrency: 200            # or auto, with autoConcurrency: {min: 4, max: 512}
 * lanes: [high, normal]         # or, per lane: {high: {}, normal: {group: share}}; as text: high,normal:share
 * laneGroup: consumer            # the group of lanes that name none: consumer (default) or share
 * ordering: key                  # share lanes need unordered
 * bulkheads:    {user-api: {maxConcurrent: 20}}
 * rateLimiters: {user-api: {limit: 100, period: 1s}}
 * handlers:
 *   users: {type: http, bulkhead: user-api, rateLimiter: user-api, settings: {url: "http://127.0.0.1:8080/users/{{id}}"}}
 * </pre>
 */
public final class WorkerConfigLoader {

    public static final String ENV_PREFIX = "FANOUT_WORKER_";

    /** The properties that the environment and flags can set. */
    public static final List<String> SIMPLE_PROPERTIES = List.of(GROUP_ID, WORKER_ID, LANES, MAX_CONCURRENCY,
            MAX_BUFFERED, ORDERING, COMMIT_INTERVAL, DRAIN_TIMEOUT, MAX_RECORD_BYTES, LANE_PRIORITY, HEARTBEAT_INTERVAL,
            HTTP_HOST, HTTP_PORT, LANE_GROUP);
    private static final Set<String> ALL_PROPERTIES;

    static {
        Set<String> all = new TreeSet<>(SIMPLE_PROPERTIES);
        all.addAll(List.of(AUTO_CONCURRENCY, HANDLERS, BULKHEADS, RATE_LIMITERS, LANE_WEIGHTS));
        ALL_PROPERTIES = Set.copyOf(all);
    }

    private WorkerConfigLoader() {
    }

    /**
     * @param file      the YAML or JSON file, or {@code null}
     * @param env       the environment (pass {@code System.getenv()})
     * @param overrides simple properties set by flags, by property name
     */
    public static WorkerConfig load(KafkaSettings kafka, Path file, Map<String, String> env,
            Map<String, String> overrides) {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        Map<String, String> source = new HashMap<>();
        if (file != null) {
            JsonNode read = StrictMapper.readTree(file);
            if (!read.isObject()) {
                throw new ConfigException(file + ": a worker configuration is an object of settings");
            }
            tree.setAll((ObjectNode) read);
            read.fieldNames().forEachRemaining(name -> source.put(name, file.toString()));
        }
        for (String property : SIMPLE_PROPERTIES) {
            String variable = envName(property);
            if (env.containsKey(variable)) {
                tree.put(property, env.get(variable));
                source.put(property, "$" + variable);
            }
            if (overrides.containsKey(property)) {
                tree.put(property, overrides.get(property));
                source.put(property, "flag for " + property);
            }
        }
        for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!ALL_PROPERTIES.contains(name)) {
                throw new ConfigException(source.get(name) + ": unknown field '" + name + "'; known fields: "
                        + new TreeSet<>(ALL_PROPERTIES));
            }
        }
        return new Reader(tree, source).read(WorkerConfig.of(kafka));
    }

    /** {@code maxConcurrency} → {@code FANOUT_WORKER_MAX_CONCURRENCY}. */
    public static String envName(String property) {
        return ENV_PREFIX + property.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** Applies the tree's properties, in a fixed order, to a default configuration. */
    private record Reader(ObjectNode tree, Map<String, String> source) {

        WorkerConfig read(WorkerConfig config) {
            WorkerConfig result = config;
            if (tree.has(GROUP_ID)) {
                result = result.withGroupId(text(GROUP_ID));
            }
            if (tree.has(WORKER_ID)) {
                result = result.withWorkerId(text(WORKER_ID));
            }
            Map<Lane, LaneGroup> laneGroups = tree.has(LANES) ? lanes() : null;
            if (laneGroups != null) {
                result = result.withLanes(List.copyOf(laneGroups.keySet()));
            }
            if (tree.has(MAX_CONCURRENCY)) {
                result = result.withConcurrency(concurrency());
            } else if (tree.has(AUTO_CONCURRENCY)) {
                throw error(AUTO_CONCURRENCY, "autoConcurrency applies only with maxConcurrency: auto");
            }
            if (tree.has(ORDERING)) {
                result = result.withOrdering(parse(ORDERING, OrderingMode::of));
            }
            if (tree.has(MAX_RECORD_BYTES)) {
                result = result.withMaxRecordBytes(whole(MAX_RECORD_BYTES));
            }
            if (tree.has(DRAIN_TIMEOUT)) {
                result = result.withDrainTimeout(parse(DRAIN_TIMEOUT, text -> Durations.parse(text, DRAIN_TIMEOUT)));
            }
            Map<String, BulkheadSpec> bulkheads = named(BULKHEADS, BulkheadSpec.class);
            Map<String, RateLimitSpec> limiters = named(RATE_LIMITERS, RateLimitSpec.class);
            Map<String, HandlerSpec> handlers = named(HANDLERS, HandlerSpec.class);
            result = result.withHandlers(handlers, bulkheads, limiters);
            int buffered = tree.has(MAX_BUFFERED) ? whole(MAX_BUFFERED) : result.maxBuffered();
            var commit = tree.has(COMMIT_INTERVAL)
                    ? parse(COMMIT_INTERVAL, text -> Durations.parse(text, COMMIT_INTERVAL)) : result.commitInterval();
            return new WorkerConfig(result.kafka(), result.groupId(), result.workerId(), result.lanes(),
                    result.concurrency(), buffered, result.ordering(), commit, result.drainTimeout(),
                    result.maxRecordBytes(), result.handlers(), result.bulkheads(), result.rateLimiters(),
                    lanePolicy(), tree.has(HEARTBEAT_INTERVAL)
                            ? parse(HEARTBEAT_INTERVAL, text -> Durations.parse(text, HEARTBEAT_INTERVAL))
                            : result.heartbeatInterval(),
                    tree.has(HTTP_HOST) ? text(HTTP_HOST) : result.httpHost(),
                    tree.has(HTTP_PORT) ? whole(HTTP_PORT) : result.httpPort(),
                    shareLanes(result.lanes(), laneGroups));
        }

        /** The lanes on a share group: those that say so, and with {@code laneGroup: share} those that say nothing. */
        private Set<Lane> shareLanes(List<Lane> lanes, Map<Lane, LaneGroup> own) {
            LaneGroup fallback = tree.has(LANE_GROUP) ? parse(LANE_GROUP, LaneGroup::of) : LaneGroup.CONSUMER;
            Set<Lane> share = java.util.EnumSet.noneOf(Lane.class);
            for (Lane lane : lanes) {
                LaneGroup group = own == null || own.get(lane) == null ? fallback : own.get(lane);
                if (group == LaneGroup.SHARE) {
                    share.add(lane);
                }
            }
            return share;
        }

        private LanePolicy lanePolicy() {
            String priority = tree.path(LANE_PRIORITY).asText("strict").trim().toLowerCase(Locale.ROOT);
            Map<Lane, Integer> weights = new java.util.EnumMap<>(Lane.class);
            JsonNode given = tree.path(LANE_WEIGHTS);
            if (!given.isMissingNode()) {
                if (!given.isObject()) {
                    throw error(LANE_WEIGHTS, "laneWeights must be an object of lane weights such as {high: 3,"
                            + " normal: 1}, was " + given);
                }
                if (!priority.equals("weighted")) {
                    throw error(LANE_WEIGHTS, "laneWeights applies only with lanePriority: weighted");
                }
                given.fields().forEachRemaining(entry -> weights.put(
                        parse(LANE_WEIGHTS, ignored -> Lane.of(entry.getKey())),
                        whole(entry.getValue(), LANE_WEIGHTS + "." + entry.getKey())));
            }
            return switch (priority) {
                case "strict" -> LanePolicy.strict();
                case "weighted" -> LanePolicy.weighted(weights);
                default -> throw error(LANE_PRIORITY, "lanePriority must be strict or weighted, was '" + priority + "'");
            };
        }

        private Concurrency concurrency() {
            String value = tree.get(MAX_CONCURRENCY).asText().trim();
            if (value.equalsIgnoreCase("auto")) {
                JsonNode auto = tree.path(AUTO_CONCURRENCY);
                if (!auto.isMissingNode() && !auto.isNull()) {
                    checkFields(auto, AUTO_CONCURRENCY, Set.of("min", "max"), "such as {min: 4, max: 512}");
                }
                int min = auto.has("min") ? whole(auto.get("min"), AUTO_CONCURRENCY + ".min") : Concurrency.DEFAULT_AUTO_MIN;
                int max = auto.has("max") ? whole(auto.get("max"), AUTO_CONCURRENCY + ".max") : Concurrency.DEFAULT_AUTO_MAX;
                return Concurrency.auto(min, max);
            }
            if (tree.has(AUTO_CONCURRENCY)) {
                throw error(AUTO_CONCURRENCY, "autoConcurrency applies only with maxConcurrency: auto");
            }
            return Concurrency.fixed(whole(MAX_CONCURRENCY));
        }

        /**
         * The lanes in the order given, each with the group it names or {@code null}: a list ({@code [high, normal]}),
         * text ({@code high,normal:share}), or an object of lanes ({@code {high: {}, normal: {group: share}}}).
         */
        private Map<Lane, LaneGroup> lanes() {
            JsonNode node = tree.get(LANES);
            Map<Lane, LaneGroup> lanes = new LinkedHashMap<>();
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    Lane lane = parse(LANES, ignored -> Lane.of(field.getKey().trim()));
                    lanes.put(lane, laneSettings(lane, field.getValue()));
                }
                return lanes;
            }
            List<String> names = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(lane -> names.add(lane.isValueNode() ? lane.asText() : lane.toString()));
            } else {
                names.addAll(Arrays.asList(node.asText().split(",")));
            }
            for (String name : names) {
                String[] parts = name.trim().split(":", 2);
                Lane lane = parse(LANES, ignored -> Lane.of(parts[0].trim()));
                lanes.put(lane, parts.length < 2 ? null
                        : parse(LANES, ignored -> LaneGroup.of(parts[1])));
            }
            return lanes;
        }

        /** A lane's own settings, {@code {group: share}}: its group, or {@code null} when it names none. */
        private LaneGroup laneSettings(Lane lane, JsonNode settings) {
            String path = LANES + "." + lane.id();
            if (settings == null || settings.isNull() || settings.isMissingNode()) {
                return null;
            }
            if (!settings.isObject()) {
                throw error(LANES, path + " must be an object such as {" + GROUP + ": share}, was "
                        + settings.getNodeType());
            }
            for (Iterator<String> names = settings.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals(GROUP)) {
                    throw error(LANES, path + ": unknown field '" + name + "'; known fields: [" + GROUP + "]");
                }
            }
            if (!settings.has(GROUP) || settings.get(GROUP).isNull()) {
                return null;
            }
            try {
                return LaneGroup.of(settings.get(GROUP).asText());
            } catch (IllegalArgumentException e) {
                throw error(LANES, path + "." + GROUP + " must be consumer or share, was '"
                        + settings.get(GROUP).asText() + "'");
            }
        }

        private <T> Map<String, T> named(String property, Class<T> type) {
            JsonNode node = tree.path(property);
            if (node.isMissingNode() || node.isNull()) {
                return Map.of();
            }
            if (!node.isObject()) {
                throw error(property, property + " must be an object of named entries, was " + node.getNodeType());
            }
            Map<String, T> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String name = field.getKey();
                if (!field.getValue().isObject()) {
                    throw error(property, property + "." + name + " must be an object of its settings, was "
                            + field.getValue());
                }
                try {
                    entries.put(name, StrictMapper.convert(field.getValue(), type, source.get(property),
                            property + "." + name));
                } catch (ConfigException e) {
                    throw new ConfigException(e.getMessage().replace(property + ".<name>", property + "." + name), e);
                }
            }
            return entries;
        }

        /** Checks that {@code node} is an object of only the {@code known} fields. */
        private void checkFields(JsonNode node, String property, Set<String> known, String example) {
            if (!node.isObject()) {
                throw error(property, property + " must be an object " + example + ", was " + node);
            }
            node.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    throw error(property, "unknown field '" + property + "." + name + "'; known fields here: "
                            + new TreeSet<>(known));
                }
            });
        }

        private String text(String property) {
            JsonNode node = tree.get(property);
            if (!node.isValueNode()) {
                throw error(property, property + " must be text, was " + node);
            }
            String value = node.asText();
            if (value.isBlank()) {
                throw error(property, property + " must not be blank");
            }
            return value;
        }

        private int whole(String property) {
            return whole(tree.get(property), property);
        }

        private int whole(JsonNode node, String property) {
            String text = node.isValueNode() ? node.asText().trim() : node.toString();
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw error(property, property + " must be a whole number"
                        + (property.equals(MAX_CONCURRENCY) ? " or auto" : "") + ", was '" + text + "'");
            }
        }

        private <T> T parse(String property, Function<String, T> parser) {
            try {
                return parser.apply(tree.get(property).asText());
            } catch (IllegalArgumentException e) {
                throw error(property, e.getMessage());
            }
        }

        private ConfigException error(String property, String message) {
            String from = source.getOrDefault(property.contains(".") ? property.substring(0, property.indexOf('.'))
                    : property, "worker configuration");
            return new ConfigException(from + ": " + message);
        }
    }
}
