package dev.fanout.cli;

import dev.fanout.worker.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the deployment files under docker/ as plain YAML trees (SnakeYAML: compose's anchors and merge keys
 * resolve as Docker Compose resolves them) for {@link DeploymentFilesTest}.
 */
final class DeploymentFiles {

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");

    private DeploymentFiles() {
    }

    /** A compose file: its top level and its services. */
    record Compose(Map<String, Object> root) {

        Map<String, Map<String, Object>> services() {
            Map<String, Map<String, Object>> services = new java.util.TreeMap<>();
            map(root.get("services")).forEach((name, service) -> services.put(name, map(service)));
            return services;
        }

        Map<String, Object> service(String name) {
            Map<String, Object> service = services().get(name);
            if (service == null) {
                throw new AssertionError("compose.yaml has no service " + name + "; it has " + services().keySet());
            }
            return service;
        }
    }

    static Compose compose(Path file) {
        return new Compose(yaml(file));
    }

    static Map<String, Object> yaml(Path file) {
        try {
            return map(new Yaml().load(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object of every manifest in {@code dir} except the kustomization. */
    static List<Map<String, Object>> kubernetes(Path dir) {
        List<Map<String, Object>> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                if (file.toString().endsWith(".yaml") && !file.endsWith("kustomization.yaml")) {
                    new Yaml().loadAll(Files.readString(file)).forEach(object -> objects.add(map(object)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /** A ConfigMap's data, by name, from the manifests in {@code dir}. */
    static Map<String, Object> configMap(Path dir, String name) {
        return kubernetes(dir).stream().filter(o -> "ConfigMap".equals(o.get("kind"))
                        && name.equals(map(o.get("metadata")).get("name"))).map(o -> map(o.get("data"))).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in " + dir));
    }

    /** The names of the ConfigMaps the manifests in {@code dir} define. */
    static Set<String> configMapNames(Path dir) {
        return kubernetes(dir).stream().filter(o -> "ConfigMap".equals(o.get("kind")))
                .map(o -> (String) map(o.get("metadata")).get("name")).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Checks what a workload (a Deployment's or StatefulSet's spec) refers to, as Kubernetes would before it starts a
     * pod: every container's volume mounts name a volume of the pod (or a claim template of a StatefulSet), and every
     * ConfigMap a volume or an {@code envFrom} names is among {@code configMaps} (those a {@code kubectl apply -k} of
     * docker/k8s defines).
     */
    static void checkReferences(Map<String, Object> workload, Set<String> configMaps) {
        Map<String, Object> podSpec = map(map(workload.get("template")).get("spec"));
        Map<String, Map<String, Object>> volumes = new TreeMap<>();
        list(podSpec.getOrDefault("volumes", List.of())).forEach(v -> volumes.put((String) map(v).get("name"), map(v)));
        list(workload.getOrDefault("volumeClaimTemplates", List.of())).forEach(claim -> volumes.put(
                (String) map(map(claim).get("metadata")).get("name"), Map.of()));
        for (Map<String, Object> volume : volumes.values()) {
            if (volume.containsKey("configMap")) {
                String name = (String) map(volume.get("configMap")).get("name");
                if (!configMaps.contains(name)) {
                    throw new AssertionError("volume " + volume.get("name") + " mounts ConfigMap " + name
                            + ", which no manifest defines; defined: " + configMaps);
                }
            }
        }
        for (Object container : list(podSpec.get("containers"))) {
            for (Object mount : list(map(container).getOrDefault("volumeMounts", List.of()))) {
                if (!volumes.containsKey(map(mount).get("name"))) {
                    throw new AssertionError("container mounts volume " + map(mount).get("name")
                            + ", which the pod does not define; it has " + volumes.keySet());
                }
            }
            for (Object source : list(map(container).getOrDefault("envFrom", List.of()))) {
                Object ref = map(source).get("configMapRef");
                if (ref != null && !configMaps.contains(map(ref).get("name"))) {
                    throw new AssertionError("envFrom names ConfigMap " + map(ref).get("name")
                            + ", which no manifest defines; defined: " + configMaps);
                }
            }
        }
    }

    /**
     * The configuration the worker container of {@code podSpec} starts with: its args parsed by the real
     * {@code fanout worker}, whose {@code --config} file is read from the ConfigMap (of the manifests in {@code k8s})
     * mounted where the file is, copied to {@code scratch}; with the container's {@code env} and {@code envFrom}.
     */
    static WorkerConfig workerConfig(Map<String, Object> podSpec, Path k8s, Path scratch) throws IOException {
        Map<String, Object> container = map(list(podSpec.get("containers")).get(0));
        WorkerCommand command = FanoutArgs.worker(expand(container));
        if (command.configFile == null) {
            throw new AssertionError("the worker is given no --config: its named handlers are missing");
        }
        Path file = command.configFile;
        Map<String, Object> mount = list(container.getOrDefault("volumeMounts", List.of())).stream().map(DeploymentFiles::map)
                .filter(m -> file.getParent().equals(Path.of((String) m.get("mountPath")))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume is mounted where --config " + file + " is"));
        Map<String, Object> volume = list(podSpec.get("volumes")).stream().map(DeploymentFiles::map)
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
        Object text = configMap(k8s, (String) map(volume.get("configMap")).get("name")).get(file.getFileName().toString());
        if (text == null) {
            throw new AssertionError("the ConfigMap mounted at " + file.getParent() + " has no key " + file.getFileName());
        }
        command.configFile = Files.writeString(scratch.resolve(file.getFileName()), (String) text);
        Map<String, String> env = new TreeMap<>();
        for (Object source : list(container.getOrDefault("envFrom", List.of()))) {
            configMap(k8s, (String) map(map(source).get("configMapRef")).get("name"))
                    .forEach((name, value) -> env.put(name, String.valueOf(value)));
        }
        list(container.getOrDefault("env", List.of())).forEach(e -> env.put((String) map(e).get("name"),
                String.valueOf(map(e).get("value"))));
        return command.config(env);
    }

    /** A scrape job of docker/prometheus/prometheus.yml. */
    static Map<String, Object> prometheusJob(String name) {
        for (Object job : list(yaml(DeploymentFilesTest.DOCKER.resolve("prometheus/prometheus.yml"))
                .get("scrape_configs"))) {
            if (name.equals(map(job).get("job_name"))) {
                return map(job);
            }
        }
        throw new AssertionError("prometheus.yml has no job " + name);
    }

    /** The URL a compose health check asks. */
    static String healthCheckUrl(Map<String, Object> service) {
        return strings(map(service.get("healthcheck")).get("test")).stream().filter(arg -> arg.startsWith("http"))
                .findFirst().orElseThrow(() -> new AssertionError("no URL in the health check of " + service));
    }

    /**
     * A container's args with each {@code $(VAR)} replaced as the kubelet does, by a sample value; fails when
     * {@code VAR} is not in the container's {@code env}.
     */
    static List<String> expand(Map<String, Object> container) {
        List<String> names = list(container.getOrDefault("env", List.of())).stream()
                .map(env -> (String) map(env).get("name")).toList();
        List<String> args = new ArrayList<>();
        for (String arg : strings(container.get("args"))) {
            Matcher reference = ENV_REFERENCE.matcher(arg);
            StringBuilder expanded = new StringBuilder();
            while (reference.find()) {
                if (!names.contains(reference.group(1))) {
                    throw new AssertionError(arg + " refers to " + reference.group(1) + ", not in the env " + names);
                }
                reference.appendReplacement(expanded, "10.0.0.1");
            }
            reference.appendTail(expanded);
            args.add(expanded.toString());
        }
        return args;
    }

    /** The path of an HTTP probe, after checking it asks the container's port (by name or number). */
    static String probePath(Map<String, Object> container, String probe, Map<String, Object> port) {
        Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
        Object asked = get.get("port");
        if (!asked.equals(port.get("name")) && !asked.equals(port.get("containerPort"))) {
            throw new AssertionError(probe + " asks port " + asked + ", the container serves " + port);
        }
        return (String) get.get("path");
    }

    /** Every path a compose health check or a Kubernetes probe asks. */
    static List<String> probedPaths(Compose compose, Path k8s) {
        List<String> paths = new ArrayList<>();
        compose.services().values().stream().filter(service -> service.containsKey("healthcheck")
                && strings(map(service.get("healthcheck")).get("test")).stream().anyMatch(a -> a.startsWith("http")))
                .forEach(service -> paths.add(URI.create(healthCheckUrl(service)).getPath()));
        for (Map<String, Object> object : kubernetes(k8s)) {
            Object template = map(object.getOrDefault("spec", Map.of())).get("template");
            if (template == null) {
                continue;
            }
            for (Object container : list(map(map(template).get("spec")).get("containers"))) {
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    Object spec = map(container).get(probe);
                    if (spec != null) {
                        paths.add((String) map(map(spec).get("httpGet")).get("path"));
                    }
                }
            }
        }
        return paths;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (!(node instanceof Map)) {
            throw new AssertionError("expected a mapping, was " + node);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        if (!(node instanceof List)) {
            throw new AssertionError("expected a list, was " + node);
        }
        return (List<Object>) node;
    }

    /** A list of scalars as text (ports, args, volumes). */
    static List<String> strings(Object node) {
        return list(node).stream().map(String::valueOf).toList();
    }
}
