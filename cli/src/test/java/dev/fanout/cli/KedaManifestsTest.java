package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.LaneLag;
import dev.fanout.protocol.Lane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

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
        assertThat(scaled.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaled.path("kind").asText()).isEqualTo("ScaledObject");
        assertThat(scaled.path("metadata").path("name").asText()).isEqualTo("fanout-worker");
        assertThat(scaled.path("metadata").path("namespace").asText()).isEqualTo("batch");
        JsonNode spec = scaled.path("spec");
        assertThat(SCALED_OBJECT_SPEC).containsAll(fields(spec));
        assertThat(SCALE_TARGET_REF).containsAll(fields(spec.path("scaleTargetRef")));
        assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo("fanout-worker");
        assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
        assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(1);
        assertThat(spec.path("maxReplicaCount").asInt()).as("the partitions cap consumer-group lanes").isEqualTo(8);
        assertThat(spec.path("triggers")).hasSize(2);
        for (JsonNode trigger : spec.path("triggers")) {
            assertThat(TRIGGER).containsAll(fields(trigger));
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode metadata = trigger.path("metadata");
            assertThat(KAFKA_METADATA).containsAll(fields(metadata));
            assertThat(fields(metadata)).containsAll(KAFKA_REQUIRED);
            metadata.forEach(value -> assertThat(value.isTextual()).as("KEDA metadata values are strings").isTrue());
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
        JsonNode spec = documents(render(true)).get(0).path("spec");

        JsonNode share = spec.path("triggers").get(1);
        assertThat(share.path("type").asText()).isEqualTo("prometheus");
        JsonNode metadata = share.path("metadata");
        assertThat(PROMETHEUS_METADATA).containsAll(fields(metadata));
        assertThat(fields(metadata)).containsAll(PROMETHEUS_REQUIRED);
        metadata.forEach(value -> assertThat(value.isTextual()).isTrue());
        assertThat(metadata.path("serverAddress").asText()).isEqualTo("http://prometheus:9090");
        assertThat(metadata.path("query").asText()).isEqualTo(
                "max(fanout_lane_lag{topic=\"fanout.jobs.normal\",group=\"fanout.workers\"})");
        assertThat(metadata.path("threshold").asText()).isEqualTo("160000");
        assertThat(spec.path("maxReplicaCount").asInt()).as("--max-replicas, not the partitions").isEqualTo(50);
        assertThat(spec.path("triggers").get(0).path("type").asText()).isEqualTo("kafka");
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
}
