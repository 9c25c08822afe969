package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checked-in monitoring files (docker/prometheus, docker/grafana) and the queries in them. */
final class MonitoringFiles {

    static final Path PROMETHEUS = FanoutProcesses.root().resolve("docker/prometheus/prometheus.yml");
    static final Path ALERTS = FanoutProcesses.root().resolve("docker/prometheus/alerts.yml");
    static final Path DASHBOARD = FanoutProcesses.root().resolve("docker/grafana/dashboards/fanout.json");

    private static final Pattern METRIC = Pattern.compile("\\b(fanout_[a-z0-9_]+)");

    private MonitoringFiles() {
    }

    /** Every PromQL expression of the Grafana dashboard's panels. */
    static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        return queries;
    }

    /** Every alert rule's expression. */
    static List<String> alertQueries() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.add(rule.path("expr").asText());
            }
        }
        return queries;
    }

    /** The Fanout metric names the queries use. */
    static Set<String> metricNames(List<String> queries) {
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            Matcher matcher = METRIC.matcher(query);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    /** promtool, or null where Debian's prometheus package is not installed. */
    static Path promtool() {
        return onPath("promtool");
    }

    /** A command on PATH, or null. */
    static Path onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
