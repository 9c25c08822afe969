package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneLag;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Lane;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.OrderingMode;
import dev.fanout.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code fanout scaling advise --keda} against the fields of KEDA's ScaledObject specification and its Kafka and
 * Prometheus scalers (keda.sh/docs, reference/scaledobject-spec, scalers/apache-kafka, scalers/prometheus).
 */
class KedaManifestsTest {

    static final Set<String> SCALED_OBJECT_SPEC = Set.of("scaleTargetRef", "pollingInterval", "cooldownPeriod",
            "initialCooldownPeriod", "idleReplicaCount", "minReplicaCount", "maxReplicaCount", "fallback", "advanced",
            "triggers");
    static final Set<String> SCALE_TARGET_REF = Set.of("apiVersion", "kind", "name", "envSourceContainerName");
    static final Set<String> TRIGGER = Set.of("type", "name", "metadata", "authenticationRef", "metricType",
            "useCachedMetrics");
    static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold",
            "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version",
            "partitionLimitation", "sasl", "saslTokenProvider", "tls", "unsafeSsl");
    static final Set<String> KAFKA_REQUIRED = Set.of("bootstrapServers", "consumerGroup", "topic");
    static final Set<String> PROMETHEUS_METADATA = Set.of("serverAddress", "query", "queryParameters", "threshold",
            "activationThreshold", "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "timeout");
    static final Set<String> PROMETHEUS_REQUIRED = Set.of("serverAddress", "query", "threshold");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path K8S = DeploymentFilesTest.DOCKER.resolve("k8s");

    static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            values.forEachRemaining(documents::add);
        }
        return documents;
    }

    static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * Checks a ScaledObject against the specification: its spec, target and triggers carry only fields KEDA knows,
     * each trigger is a Kafka or a Prometheus scaler with its own metadata fields (the required ones present) and
     * string values, and trigger names are unique.
     */
    static void checkScaledObjectSchema(JsonNode scaled) {
        assertThat(scaled.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaled.path("kind").asText()).isEqualTo("ScaledObject");
        assertThat(scaled.path("metadata").path("name").asText()).isNotEmpty();
        JsonNode spec = scaled.path("spec");
        assertThat(SCALED_OBJECT_SPEC).containsAll(fields(spec));
        assertThat(SCALE_TARGET_REF).containsAll(fields(spec.path("scaleTargetRef")));
        assertThat(spec.path("scaleTargetRef").path("name").asText()).isNotEmpty();
        assertThat(spec.path("minReplicaCount").isInt()).isTrue();
        assertThat(spec.path("maxReplicaCount").asInt()).isGreaterThanOrEqualTo(spec.path("minReplicaCount").asInt());
        assertThat(spec.path("triggers").isArray()).isTrue();
        assertThat(spec.path("triggers").findValuesAsText("name")).doesNotHaveDuplicates();
        for (JsonNode trigger : spec.path("triggers")) {
            assertThat(TRIGGER).containsAll(fields(trigger));
            JsonNode metadata = trigger.path("metadata");
            String type = trigger.path("type").asText();
            Set<String> known = type.equals("kafka") ? KAFKA_METADATA : type.equals("prometheus") ? PROMETHEUS_METADATA
                    : Set.of();
            assertThat(known).as("metadata of a " + type + " trigger").isNotEmpty().containsAll(fields(metadata));
            assertThat(fields(metadata)).containsAll(type.equals("kafka") ? KAFKA_REQUIRED : PROMETHEUS_REQUIRED);
            metadata.forEach(value -> assertThat(value.isTextual()).as("KEDA metadata values are strings").isTrue());
        }
    }

    private static String render(boolean share) {
        ScalingAdvice advice = ScalingAdvice.of(List.of(
                ScalingAdviceTest.lane(Lane.HIGH, false, 8, 1_000),
                ScalingAdviceTest.lane(Lane.NORMAL, share, 8, 2_000_000)),
                new ScalingAdvice.Inputs(64, Duration.ofMillis(120), Duration.ofMinutes(5), 1, 50));
        return KedaManifests.render(advice, new KedaManifests.Target("fanout-worker", "batch", "fanout:latest",
                KafkaSettings.of("kafka:9092"), "http://prometheus:9090"));
    }

    @Test
    void aConsumerGroupLaneGetsAKafkaTriggerWhoseThresholdIsTheLagOneWorkerDrains() throws Exception {
        List<JsonNode> documents = documents(render(false));

        JsonNode scaled = documents.get(0);
        checkScaledObjectSchema(scaled);
        assertThat(scaled.path("metadata").path("name").asText()).isEqualTo("fanout-worker");
        assertThat(scaled.path("metadata").path("namespace").asText()).isEqualTo("batch");
        JsonNode spec = scaled.path("spec");
        assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("fanout-worker");
        assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
        assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(1);
        assertThat(spec.path("maxReplicaCount").asInt()).as("the partitions cap consumer-group lanes").isEqualTo(8);
        assertThat(spec.path("triggers")).hasSize(2);
        for (JsonNode trigger : spec.path("triggers")) {
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode metadata = trigger.path("metadata");
            assertThat(metadata.path("bootstrapServers").asText()).isEqualTo("kafka:9092");
            assertThat(metadata.path("consumerGroup").asText()).isEqualTo("fanout.workers");
            assertThat(metadata.path("lagThreshold").asText()).as("64 slots x 300 s / 0.12 s").isEqualTo("160000");
            assertThat(metadata.path("offsetResetPolicy").asText()).isIn("earliest", "latest");
            assertThat(metadata.path("allowIdleConsumers").asText()).isEqualTo("false");
        }
        assertThat(spec.path("triggers").findValuesAsText("topic")).containsExactly("fanout.jobs.high",
                "fanout.jobs.normal");
    }

    @Test
    void aShareGroupLaneGetsAPrometheusTriggerOnTheLaneLagAndNoPartitionCap() throws Exception {
        JsonNode scaled = documents(render(true)).get(0);
        checkScaledObjectSchema(scaled);
        JsonNode spec = scaled.path("spec");

        JsonNode share = spec.path("triggers").get(1);
        assertThat(share.path("type").asText()).isEqualTo("prometheus");
        JsonNode metadata = share.path("metadata");
        assertThat(metadata.path("serverAddress").asText()).isEqualTo("http://prometheus:9090");
        assertThat(metadata.path("query").asText()).isEqualTo(
                "max(fanout_lane_lag{topic=\"fanout.jobs.normal\",group=\"fanout.workers-share\"})");
        assertThat(metadata.path("threshold").asText()).isEqualTo("160000");
        assertThat(spec.path("maxReplicaCount").asInt()).as("--max-replicas, not the partitions").isEqualTo(50);
        assertThat(spec.path("triggers").get(0).path("type").asText()).isEqualTo("kafka");
        assertThat(spec.path("triggers").get(0).path("metadata").path("consumerGroup").asText())
                .as("the consumer-group lane keeps the worker group").isEqualTo("fanout.workers");
    }

    @Test
    void aSecuredClusterIsNamedWithWhatToAddAndNoCredentialIsWritten() throws Exception {
        ScalingAdvice advice = ScalingAdvice.of(List.of(ScalingAdviceTest.lane(Lane.NORMAL, false, 8, 100)),
                new ScalingAdvice.Inputs(64, Duration.ofMillis(120), Duration.ofMinutes(5), 1, 50));
        KafkaSettings secured = KafkaSettings.of("kafka:9093").withClientOverrides(java.util.Map.of(
                "security.protocol", "SASL_SSL", "sasl.jaas.config", "ScramLoginModule password=\"s3cret\";"));

        String yaml = KedaManifests.render(advice, new KedaManifests.Target("fanout-worker", null, "fanout:latest",
                secured, "http://prometheus:9090"));

        assertThat(yaml).startsWith("# the cluster is secured (security.protocol=SASL_SSL)")
                .contains("TriggerAuthentication").doesNotContain("s3cret");
        assertThat(documents(yaml)).hasSize(2);
        assertThat(render(false)).doesNotContain("secured");
    }

    @Test
    void theDeploymentRunsFanoutWorkerWithProbesOnItsHealthPort() throws Exception {
        JsonNode deployment = documents(render(false)).get(1);

        assertThat(deployment.path("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(deployment.path("kind").asText()).isEqualTo("Deployment");
        JsonNode spec = deployment.path("spec");
        assertThat(spec.path("replicas").asInt()).as("2,000,000 x 0.12 / 300 = 800 slots, capped at 8").isEqualTo(8);
        JsonNode labels = spec.path("template").path("metadata").path("labels");
        spec.path("selector").path("matchLabels").fields().forEachRemaining(label ->
                assertThat(labels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        JsonNode container = spec.path("template").path("spec").path("containers").get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(arg -> args.add(arg.asText()));
        FanoutArgs parsed = FanoutArgs.parse(args);
        assertThat(parsed.command()).isEqualTo("worker");
        assertThat(parsed.flags()).containsEntry("--concurrency", "64").containsEntry("--lanes", "high,normal")
                .containsEntry("--http-host", "0.0.0.0").containsEntry("--http-port", "9401");
        assertThat(container.path("env").findValuesAsText("value")).contains("kafka:9092");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9401);
        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
    }

    @ParameterizedTest(name = "share lane: {0}")
    @ValueSource(booleans = {false, true})
    void theDeploymentsWorkerStartsWithItsNamedHandlersFromTheMountedConfigMapAndTheAdvisedLanes(boolean share,
            @TempDir Path scratch) throws Exception {
        List<Object> objects = new ArrayList<>();
        new Yaml().loadAll(render(share)).forEach(objects::add);
        Map<String, Object> deployment = DeploymentFiles.map(objects.get(1));
        Map<String, Object> spec = DeploymentFiles.map(deployment.get("spec"));
        Map<String, Object> podSpec = DeploymentFiles.map(DeploymentFiles.map(spec.get("template")).get("spec"));

        DeploymentFiles.checkReferences(spec, DeploymentFiles.configMapNames(K8S));
        WorkerConfig config = DeploymentFiles.workerConfig(podSpec, K8S, scratch);

        assertThat(HandlerRegistry.create(HandlerCatalog.load(), config, InstantSource.system()).names())
                .as("the named handlers of docker/k8s/worker-config.yaml").contains("enrich", "smoke");
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.concurrency().max()).isEqualTo(64);
        assertThat(config.lanes()).containsExactly(Lane.HIGH, Lane.NORMAL);
        assertThat(config.groupId()).as("the share group is the worker group's, suffixed by the worker")
                .isEqualTo("fanout.workers");
        if (share) {
            assertThat(config.shareLanes()).containsExactly(Lane.NORMAL);
            assertThat(config.ordering()).isEqualTo(OrderingMode.UNORDERED);
        } else {
            assertThat(config.shareLanes()).isEmpty();
        }
    }
}
