package dev.fanout.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
