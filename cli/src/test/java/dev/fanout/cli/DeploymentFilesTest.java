package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.ops.Check;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.WorkerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files, read as Docker Compose and Kubernetes would read them (there is no Docker engine or cluster
 * here): every container runs a real {@code fanout} command with flags the command has, and ports, addresses,
 * health checks, probes, labels and volumes agree across the files.
 */
class DeploymentFilesTest {

    static final Path DOCKER = FanoutProcesses.root().resolve("docker");
    static final String FANOUT_IMAGE = "fanout:latest";

    private final DeploymentFiles.Compose compose = DeploymentFiles.compose(DOCKER.resolve("compose.yaml"));

    @Test
    void everyFanoutServiceOfTheComposeFileRunsARealCommandWithFlagsItHas() {
        Map<String, String> commands = new java.util.TreeMap<>();
        compose.services().forEach((name, service) -> {
            if (FANOUT_IMAGE.equals(service.get("image"))) {
                FanoutArgs args = FanoutArgs.parse(DeploymentFiles.strings(service.get("command")));
                commands.put(name, args.command());
            }
        });

        assertThat(commands).containsEntry("aggregator-1", "aggregator").containsEntry("aggregator-2", "aggregator")
                .containsEntry("worker", "worker").hasSize(3);
    }

    @Test
    void composeServicesReachKafkaAtAListenerItAdvertises() {
        Map<String, Object> kafka = compose.service("kafka");
        Map<String, Object> env = DeploymentFiles.map(kafka.get("environment"));
        List<String> advertised = List.of(((String) env.get("KAFKA_ADVERTISED_LISTENERS")).split(","));
        String listeners = (String) env.get("KAFKA_LISTENERS");

        compose.services().forEach((name, service) -> {
            if (FANOUT_IMAGE.equals(service.get("image"))) {
                String servers = (String) DeploymentFiles.map(service.get("environment")).get("FANOUT_BOOTSTRAP_SERVERS");
                assertThat(advertised).as(name + " uses an advertised listener").contains("PLAINTEXT://" + servers);
                assertThat(servers).startsWith(kafka.get("hostname") + ":");
                assertThat(listeners).contains("PLAINTEXT://:" + servers.substring(servers.indexOf(':') + 1));
                assertThat(DeploymentFiles.map(service.get("depends_on"))).containsKey("kafka");
            }
        });
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(env.get("KAFKA_NODE_ID") + "@kafka:9093");
        String external = advertised.stream().filter(l -> l.startsWith("EXTERNAL://")).findFirst().orElseThrow();
        String port = external.substring(external.lastIndexOf(':') + 1);
        assertThat(DeploymentFiles.strings(kafka.get("ports"))).contains(port + ":" + port);
    }

    @Test
    void theKafkaImageIsTheProjectsKafkaVersion() throws Exception {
        Matcher version = Pattern.compile("<kafka\\.version>([^<]+)</kafka\\.version>")
                .matcher(Files.readString(FanoutProcesses.root().resolve("pom.xml")));
        assertThat(version.find()).isTrue();

        assertThat(compose.service("kafka").get("image")).isEqualTo("apache/kafka:" + version.group(1));
    }

    @Test
    void workersServeHealthAndMetricsWherePrometheusAndTheirHealthCheckLook() throws Exception {
        Map<String, Object> worker = compose.service("worker");
        FanoutArgs args = FanoutArgs.parse(DeploymentFiles.strings(worker.get("command")));
        Map<String, Object> job = DeploymentFiles.prometheusJob("fanout-worker");

        assertThat(args.flags()).containsEntry("--http-host", "0.0.0.0")
                .containsEntry("--http-port", Integer.toString(KedaManifests.WORKER_HTTP_PORT));
        Map<String, Object> sd = DeploymentFiles.map(DeploymentFiles.list(job.get("dns_sd_configs")).get(0));
        assertThat(DeploymentFiles.strings(sd.get("names"))).containsExactly("worker");
        assertThat(sd.get("port")).isEqualTo(KedaManifests.WORKER_HTTP_PORT);
        assertThat(DeploymentFiles.healthCheckUrl(worker)).isEqualTo("http://127.0.0.1:" + args.flags().get("--http-port")
                + ServiceEndpoints.HEALTH_PATH);
        assertThat(worker).doesNotContainKey("ports"); // replicas would fight over a host port
    }

    @Test
    void eachAggregatorAdvertisesItsOwnNameAndIsFoundByPrometheusUnderTheSharedAlias() throws Exception {
        Map<String, Object> job = DeploymentFiles.prometheusJob("fanout-aggregator");
        Map<String, Object> sd = DeploymentFiles.map(DeploymentFiles.list(job.get("dns_sd_configs")).get(0));
        Set<String> volumes = new TreeSet<>();

        for (String name : List.of("aggregator-1", "aggregator-2")) {
            Map<String, Object> service = compose.service(name);
            FanoutArgs args = FanoutArgs.parse(DeploymentFiles.strings(service.get("command")));
            String port = args.flags().get("--http-port");
            assertThat(args.flags().get("--http-host")).as("reachable by the other instance").isEqualTo(name)
                    .isEqualTo(service.get("hostname"));
            assertThat(args.flags()).containsEntry("--standby-replicas", "1");
            assertThat(DeploymentFiles.strings(service.get("ports"))).singleElement().asString().endsWith(":" + port);
            assertThat(DeploymentFiles.healthCheckUrl(service)).isEqualTo("http://" + name + ":" + port
                    + ServiceEndpoints.HEALTH_PATH);
            List<String> aliases = DeploymentFiles.strings(DeploymentFiles.map(DeploymentFiles.map(
                    service.get("networks")).get("default")).get("aliases"));
            assertThat(aliases).containsAll(DeploymentFiles.strings(sd.get("names")));
            assertThat(sd.get("port")).isEqualTo(Integer.parseInt(port));
            String volume = DeploymentFiles.strings(service.get("volumes")).get(0);
            String mount = volume.substring(volume.indexOf(':') + 1);
            assertThat(args.flags().get("--state-dir")).as("the state lives on the volume").startsWith(mount + "/");
            volumes.add(volume.substring(0, volume.indexOf(':')));
        }
        assertThat(volumes).as("each instance its own state").hasSize(2);
        assertThat(DeploymentFiles.map(compose.root().get("volumes")).keySet()).containsAll(volumes);
    }

    @Test
    void prometheusAndGrafanaMountTheMonitoringFilesWhereTheirConfigsPoint() throws Exception {
        Map<String, Object> prometheus = compose.service("prometheus");
        assertThat(DeploymentFiles.strings(prometheus.get("volumes"))).contains("./prometheus:/etc/prometheus:ro");
        assertThat(DeploymentFiles.strings(prometheus.get("command")))
                .contains("--config.file=/etc/prometheus/prometheus.yml");
        assertThat(DOCKER.resolve("prometheus/prometheus.yml")).exists();
        assertThat(DeploymentFiles.strings(prometheus.get("ports"))).contains("9090:9090");

        Map<String, Object> grafana = compose.service("grafana");
        Map<String, Object> datasource = DeploymentFiles.map(DeploymentFiles.list(DeploymentFiles.yaml(
                DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml")).get("datasources")).get(0));
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        Map<String, Object> provider = DeploymentFiles.map(DeploymentFiles.list(DeploymentFiles.yaml(
                DOCKER.resolve("grafana/provisioning/dashboards/fanout.yml")).get("providers")).get(0));
        String dashboards = (String) DeploymentFiles.map(provider.get("options")).get("path");
        assertThat(DeploymentFiles.strings(grafana.get("volumes"))).contains(
                "./grafana/provisioning:/etc/grafana/provisioning:ro", "./grafana/dashboards:" + dashboards + ":ro");
    }

    @Test
    void kubernetesContainersRunRealCommandsAndProbeTheHealthPortTheyServe() {
        List<Map<String, Object>> workloads = DeploymentFiles.kubernetes(DOCKER.resolve("k8s")).stream()
                .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.get("kind"))).toList();
        assertThat(workloads).extracting(o -> o.get("kind")).containsExactlyInAnyOrder("Deployment", "StatefulSet");

        for (Map<String, Object> workload : workloads) {
            Map<String, Object> spec = DeploymentFiles.map(workload.get("spec"));
            Map<String, Object> template = DeploymentFiles.map(spec.get("template"));
            Map<String, Object> labels = DeploymentFiles.map(DeploymentFiles.map(template.get("metadata")).get("labels"));
            assertThat(labels).containsAllEntriesOf(DeploymentFiles.map(DeploymentFiles.map(spec.get("selector"))
                    .get("matchLabels")));
            Map<String, Object> container = DeploymentFiles.map(DeploymentFiles.list(DeploymentFiles.map(
                    template.get("spec")).get("containers")).get(0));
            FanoutArgs args = FanoutArgs.parse(DeploymentFiles.expand(container));
            assertThat(args.command()).isIn("worker", "aggregator");
            assertThat(args.flags().get("--http-host")).as("the kubelet probes the pod's address")
                    .isNotEqualTo(ServiceEndpoints.DEFAULT_HOST);
            Map<String, Object> port = DeploymentFiles.map(DeploymentFiles.list(container.get("ports")).get(0));
            assertThat(port.get("containerPort").toString()).isEqualTo(args.flags().get("--http-port"));
            assertThat(DeploymentFiles.probePath(container, "livenessProbe", port)).isEqualTo(ServiceEndpoints.HEALTH_PATH);
            assertThat(DeploymentFiles.probePath(container, "readinessProbe", port)).isEqualTo(ServiceEndpoints.READY_PATH);
            if (container.containsKey("startupProbe")) {
                assertThat(DeploymentFiles.probePath(container, "startupProbe", port)).isEqualTo(ServiceEndpoints.HEALTH_PATH);
            }
            String configMap = (String) DeploymentFiles.map(DeploymentFiles.map(DeploymentFiles.list(
                    container.get("envFrom")).get(0)).get("configMapRef")).get("name");
            assertThat(DeploymentFiles.configMap(DOCKER.resolve("k8s"), configMap)).containsKey("FANOUT_BOOTSTRAP_SERVERS");
            DeploymentFiles.checkReferences(spec, DeploymentFiles.configMapNames(DOCKER.resolve("k8s")));
        }
    }

    @Test
    void theKubernetesWorkerStartsWithTheNamedHandlersOfTheConfigMapItMounts(@TempDir Path scratch) throws Exception {
        Map<String, Object> podSpec = DeploymentFiles.map(DeploymentFiles.map(DeploymentFiles.map(workerDeployment()
                .get("spec")).get("template")).get("spec"));

        WorkerConfig config = DeploymentFiles.workerConfig(podSpec, DOCKER.resolve("k8s"), scratch);

        assertThat(HandlerRegistry.create(HandlerCatalog.load(), config, InstantSource.system()).names())
                .contains("enrich", "smoke");
        assertThat(config.kafka().bootstrapServers()).as("from the fanout-kafka ConfigMap").isEqualTo("kafka:9092");
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void aMountOfAnUndefinedVolumeOrConfigMapIsCaught() {
        Map<String, Object> mounts = Map.of("name", "worker", "volumeMounts", List.of(Map.of("name", "worker-config",
                "mountPath", "/etc/fanout")));

        Map<String, Object> unmounted = Map.of("template", Map.of("spec", Map.of("containers", List.of(mounts))));
        Map<String, Object> undefined = Map.of("template", Map.of("spec", Map.of("containers", List.of(mounts),
                "volumes", KedaManifests.workerConfigVolumes("other"))));

        assertThatThrownBy(() -> DeploymentFiles.checkReferences(unmounted, Set.of()))
                .hasMessageContaining("mounts volume worker-config, which the pod does not define");
        assertThatThrownBy(() -> DeploymentFiles.checkReferences(undefined,
                DeploymentFiles.configMapNames(DOCKER.resolve("k8s"))))
                .hasMessageContaining("mounts ConfigMap other-config, which no manifest defines");
    }

    @Test
    void theAggregatorStatefulSetKeepsItsStateOnAClaimAndItsServicesSelectItsPods() {
        List<Map<String, Object>> objects = DeploymentFiles.kubernetes(DOCKER.resolve("k8s"));
        Map<String, Object> set = objects.stream().filter(o -> "StatefulSet".equals(o.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> spec = DeploymentFiles.map(set.get("spec"));
        Map<String, Object> template = DeploymentFiles.map(spec.get("template"));
        Map<String, Object> container = DeploymentFiles.map(DeploymentFiles.list(DeploymentFiles.map(
                template.get("spec")).get("containers")).get(0));
        FanoutArgs args = FanoutArgs.parse(DeploymentFiles.expand(container));

        String claim = (String) DeploymentFiles.map(DeploymentFiles.map(DeploymentFiles.list(
                spec.get("volumeClaimTemplates")).get(0)).get("metadata")).get("name");
        Map<String, Object> mount = DeploymentFiles.map(DeploymentFiles.list(container.get("volumeMounts")).get(0));
        assertThat(mount.get("name")).isEqualTo(claim);
        assertThat(args.flags().get("--state-dir")).startsWith(mount.get("mountPath") + "/");
        assertThat(args.flags()).containsEntry("--standby-replicas", "1");
        Map<String, Object> podLabels = DeploymentFiles.map(DeploymentFiles.map(template.get("metadata")).get("labels"));
        List<Map<String, Object>> services = objects.stream().filter(o -> "Service".equals(o.get("kind"))).toList();
        assertThat(services).hasSize(2);
        for (Map<String, Object> service : services) {
            Map<String, Object> serviceSpec = DeploymentFiles.map(service.get("spec"));
            assertThat(podLabels).containsAllEntriesOf(DeploymentFiles.map(serviceSpec.get("selector")));
            Map<String, Object> port = DeploymentFiles.map(DeploymentFiles.list(serviceSpec.get("ports")).get(0));
            assertThat(port.get("targetPort")).isEqualTo(DeploymentFiles.map(DeploymentFiles.list(
                    container.get("ports")).get(0)).get("name"));
        }
        String headless = services.stream().filter(s -> "None".equals(DeploymentFiles.map(s.get("spec"))
                .get("clusterIP"))).map(s -> (String) DeploymentFiles.map(s.get("metadata")).get("name"))
                .findFirst().orElseThrow();
        assertThat(spec.get("serviceName")).isEqualTo(headless);
    }

    @Test
    void theKubernetesWorkerRunsAsTheDeploymentOfScalingAdviseDoes() throws Exception {
        Map<String, Object> deployment = workerDeployment();
        Map<String, Object> podSpec = DeploymentFiles.map(DeploymentFiles.map(DeploymentFiles.map(
                deployment.get("spec")).get("template")).get("spec"));
        Map<String, Object> container = DeploymentFiles.map(DeploymentFiles.list(podSpec.get("containers")).get(0));
        ObjectMapper json = new ObjectMapper();

        assertThat(DeploymentFiles.strings(container.get("args"))).startsWith(
                KedaManifests.workerArgs().toArray(String[]::new));
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            JsonNode inFile = json.valueToTree(container.get(probe));
            JsonNode advised = json.valueToTree(KedaManifests.workerProbes().get(probe));
            assertThat(inFile).as(probe).isEqualTo(advised);
        }
        assertThat(podSpec.get("terminationGracePeriodSeconds")).isEqualTo(KedaManifests.TERMINATION_GRACE_SECONDS);
        JsonNode mounts = json.valueToTree(container.get("volumeMounts"));
        JsonNode volumes = json.valueToTree(podSpec.get("volumes"));
        assertThat(mounts).isEqualTo(json.<JsonNode>valueToTree(KedaManifests.workerConfigMounts()));
        assertThat(volumes).as("the ConfigMap advise --keda --name fanout-worker mounts")
                .isEqualTo(json.<JsonNode>valueToTree(KedaManifests.workerConfigVolumes("fanout-worker")));
        assertThat(DeploymentFiles.map(DeploymentFiles.map(deployment.get("metadata")).get("labels")))
                .containsEntry("app.kubernetes.io/name", "fanout-worker");
    }

    private static Map<String, Object> workerDeployment() {
        return DeploymentFiles.kubernetes(DOCKER.resolve("k8s")).stream()
                .filter(o -> "Deployment".equals(o.get("kind"))).findFirst().orElseThrow();
    }

    @Test
    void theKustomizationListsEveryManifest() throws Exception {
        List<String> resources = DeploymentFiles.strings(DeploymentFiles.yaml(DOCKER.resolve("k8s/kustomization.yaml"))
                .get("resources"));
        try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
            assertThat(resources).containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")).toList());
        }
    }

    @Test
    void everyHealthPathTheFilesProbeIsServedByTheServicesEndpoints() throws Exception {
        Set<String> paths = new TreeSet<>(DeploymentFiles.probedPaths(compose, DOCKER.resolve("k8s")));
        assertThat(paths).isNotEmpty();

        try (ServiceEndpoints endpoints = ServiceEndpoints.start(ServiceEndpoints.DEFAULT_HOST, 0, Check::ok,
                Check::ok); HttpClient client = HttpClient.newHttpClient()) {
            List<String> answers = new ArrayList<>();
            for (String path : paths) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(endpoints.url() + path))
                        .build(), HttpResponse.BodyHandlers.ofString());
                answers.add(path + " " + answer.statusCode());
            }
            assertThat(answers).allMatch(answer -> answer.endsWith(" 200"));
        }
    }
}
