package dev.fanout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneGroups;
import dev.fanout.config.LaneLag;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.protocol.Topics;
import dev.fanout.worker.LaneGroup;
import dev.fanout.worker.OrderingMode;
import dev.fanout.worker.WorkerConfig;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The Kubernetes objects of {@code fanout scaling advise --keda}: a KEDA {@code ScaledObject} (keda.sh/v1alpha1)
 * with one trigger per lane, and the apps/v1 {@code Deployment} of workers it scales. A consumer-group lane gets
 * KEDA's Kafka scaler on the worker group's lag; a share-group lane, whose workers are not capped by partitions,
 * gets the Prometheus scaler on Fanout's lane lag metric. Either way the trigger's threshold is the lag one worker
 * drains within the drain time ({@code concurrency x drain time / latency}), so KEDA's replica count,
 * {@code ceil(lag / threshold)}, is the advice's.
 */
final class KedaManifests {

    static final String SCALED_OBJECT_API = "keda.sh/v1alpha1";
    /** The workers' health and metrics port in every deployment file (docker/README.md). */
    static final int WORKER_HTTP_PORT = 9401;
    /** Fanout's lag of a lane (the aggregator exports it): what the Prometheus trigger of a share-group lane queries. */
    static final String LANE_LAG_METRIC = "fanout_lane_lag";
    /** Where the worker container finds its configuration: a ConfigMap's key, mounted as a file. */
    static final String WORKER_CONFIG_DIR = "/etc/fanout";
    static final String WORKER_CONFIG_FILE = "worker.yaml";
    private static final String WORKER_CONFIG_VOLUME = "worker-config";
    /** Drain timeout (30 s by default) plus a margin: SIGTERM drains in-flight items before the pod goes. */
    static final int TERMINATION_GRACE_SECONDS = 45;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private KedaManifests() {
    }

    /**
     * Where and how the workers run.
     *
     * @param name          the Deployment's and ScaledObject's name
     * @param namespace     their namespace, or {@code null} for the current one
     * @param image         the fanout image (docker/Dockerfile)
     * @param kafka         the cluster the workers and the Kafka scaler use
     * @param prometheusUrl the Prometheus the Prometheus scaler asks (share-group lanes)
     */
    record Target(String name, String namespace, String image, KafkaSettings kafka, String prometheusUrl) {
        Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(prometheusUrl, "prometheusUrl");
        }
    }

    /**
     * Both objects as one YAML stream (the ScaledObject, then the Deployment), after a comment on what to add for a
     * secured cluster: these objects carry no credentials.
     */
    static String render(ScalingAdvice advice, Target target) {
        String protocol = target.kafka().clientOverrides().getOrDefault("security.protocol", "PLAINTEXT");
        String secured = "PLAINTEXT".equalsIgnoreCase(protocol) ? "" : "# the cluster is secured (security.protocol="
                + protocol + "): give each kafka trigger an authenticationRef to a KEDA TriggerAuthentication (sasl,"
                + " username, password, tls, ca from a Secret),\n# and the worker container the same settings as"
                + " FANOUT_KAFKA_* variables from that Secret (docker/k8s/kafka-settings.yaml)\n";
        try {
            return secured + YAML.writeValueAsString(scaledObject(advice, target)) + YAML.writeValueAsString(
                    deployment(advice, target));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> scaledObject(ScalingAdvice advice, Target target) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("scaleTargetRef", map("apiVersion", "apps/v1", "kind", "Deployment", "name", target.name()));
        spec.put("pollingInterval", 30);
        spec.put("cooldownPeriod", 300);
        spec.put("minReplicaCount", advice.inputs().minReplicas());
        spec.put("maxReplicaCount", Math.min(advice.inputs().maxReplicas(),
                advice.cap().orElse(advice.inputs().maxReplicas())));
        List<Map<String, Object>> triggers = new ArrayList<>();
        String threshold = Long.toString(advice.inputs().itemsPerWorker());
        for (ScalingAdvice.LaneAdvice lane : advice.lanes()) {
            triggers.add(lane.load().group().share() ? prometheusTrigger(lane.load(), threshold, target)
                    : kafkaTrigger(lane.load(), threshold, target));
        }
        spec.put("triggers", triggers);
        return object(SCALED_OBJECT_API, "ScaledObject", target, spec);
    }

    private static Map<String, Object> kafkaTrigger(LaneLag.Reading lane, String threshold, Target target) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("bootstrapServers", target.kafka().bootstrapServers());
        metadata.put("consumerGroup", lane.group().groupId());
        metadata.put("topic", lane.topic());
        metadata.put("lagThreshold", threshold);
        metadata.put("activationLagThreshold", "0");
        metadata.put("offsetResetPolicy", "earliest"); // workers start a new group from the first record
        metadata.put("allowIdleConsumers", "false"); // a worker beyond the partitions would get nothing
        metadata.put("scaleToZeroOnInvalidOffset", "false");
        metadata.put("excludePersistentLag", "false");
        metadata.put("limitToPartitionsWithLag", "false");
        return map("type", "kafka", "name", "lane-" + lane.lane().id(), "metadata", metadata);
    }

    private static Map<String, Object> prometheusTrigger(LaneLag.Reading lane, String threshold, Target target) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("serverAddress", target.prometheusUrl());
        metadata.put("query", lagQuery(lane.topic(), lane.group().groupId()));
        metadata.put("threshold", threshold);
        metadata.put("activationThreshold", "0");
        return map("type", "prometheus", "name", "lane-" + lane.lane().id(), "metadata", metadata);
    }

    /**
     * The PromQL of a lane's lag on its group: the highest of the aggregator instances that export it (each reads
     * the same lag).
     */
    static String lagQuery(String topic, String group) {
        return "max(" + LANE_LAG_METRIC + "{topic=\"" + topic + "\",group=\"" + group + "\"})";
    }

    static Map<String, Object> deployment(ScalingAdvice advice, Target target) {
        Map<String, Object> labels = labels(target);
        List<String> args = new ArrayList<>(workerArgs());
        args.addAll(List.of("--concurrency", Integer.toString(advice.inputs().concurrency()), "--lanes",
                advice.lanes().stream().map(lane -> lane.load().lane().id() + (lane.load().group().share()
                        ? ":" + LaneGroup.SHARE.id() : "")).collect(Collectors.joining(","))));
        if (advice.lanes().stream().anyMatch(lane -> lane.load().group().share())) {
            args.addAll(List.of("--ordering", OrderingMode.UNORDERED.id())); // a share group keeps no order
        }
        advice.lanes().stream().map(lane -> LaneGroups.workerGroup(lane.load().group())).findFirst()
                .filter(group -> !group.equals(WorkerConfig.defaultGroupId(target.kafka())))
                .ifPresent(group -> args.addAll(List.of("--group", group)));
        List<Map<String, Object>> env = new ArrayList<>();
        env.add(map("name", KafkaSettings.ENV_BOOTSTRAP_SERVERS, "value", target.kafka().bootstrapServers()));
        if (!Topics.DEFAULT_PREFIX.equals(target.kafka().topicPrefix())) {
            env.add(map("name", KafkaSettings.ENV_TOPIC_PREFIX, "value", target.kafka().topicPrefix()));
        }
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "worker");
        container.put("image", target.image());
        container.put("args", args);
        container.put("env", env);
        container.put("ports", List.of(map("name", "http", "containerPort", WORKER_HTTP_PORT)));
        container.putAll(workerProbes());
        container.put("volumeMounts", workerConfigMounts());
        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("terminationGracePeriodSeconds", TERMINATION_GRACE_SECONDS);
        podSpec.put("containers", List.of(container));
        podSpec.put("volumes", workerConfigVolumes(target.name()));
        Map<String, Object> template = map("metadata", map("labels", labels, "annotations", map(
                "prometheus.io/scrape", "true", "prometheus.io/port", Integer.toString(WORKER_HTTP_PORT),
                "prometheus.io/path", ServiceEndpoints.METRICS_PATH)), "spec", podSpec);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", advice.replicas());
        spec.put("selector", map("matchLabels", labels));
        spec.put("template", template);
        return object("apps/v1", "Deployment", target, spec);
    }

    /**
     * {@code fanout worker} in a container: health and metrics on every address, at the workers' port, and the
     * worker configuration (named handlers, bulkheads, rate limiters) from the mounted ConfigMap.
     */
    static List<String> workerArgs() {
        return List.of("worker", "--http-host", "0.0.0.0", "--http-port", Integer.toString(WORKER_HTTP_PORT),
                "--config", WORKER_CONFIG_DIR + "/" + WORKER_CONFIG_FILE);
    }

    /** The name of the ConfigMap that holds the configuration of the workers of Deployment {@code name}. */
    static String workerConfigMap(String name) {
        return name + "-config";
    }

    /** The pod's volume of the worker configuration: the ConfigMap {@code <name>-config}. */
    static List<Map<String, Object>> workerConfigVolumes(String name) {
        return List.of(map("name", WORKER_CONFIG_VOLUME, "configMap", map("name", workerConfigMap(name))));
    }

    /** Where the worker container mounts it, read-only: {@code --config} names a file in it. */
    static List<Map<String, Object>> workerConfigMounts() {
        return List.of(map("name", WORKER_CONFIG_VOLUME, "mountPath", WORKER_CONFIG_DIR, "readOnly", true));
    }

    /** Liveness on /healthz, readiness on /readyz (assigned partitions), both on the container's http port. */
    static Map<String, Object> workerProbes() {
        return map("livenessProbe", map("httpGet", map("path", ServiceEndpoints.HEALTH_PATH, "port", "http"), "periodSeconds", 10,
                        "failureThreshold", 3),
                "readinessProbe", map("httpGet", map("path", ServiceEndpoints.READY_PATH, "port", "http"), "periodSeconds", 5));
    }

    private static Map<String, Object> labels(Target target) {
        return map("app.kubernetes.io/name", target.name(), "app.kubernetes.io/part-of", "fanout");
    }

    private static Map<String, Object> object(String apiVersion, String kind, Target target, Map<String, Object> spec) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", target.name());
        if (target.namespace() != null) {
            metadata.put("namespace", target.namespace());
        }
        metadata.put("labels", labels(target));
        return map("apiVersion", apiVersion, "kind", kind, "metadata", metadata, "spec", spec);
    }

    /** An ordered map of alternating keys and values. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
