package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The checked-in Prometheus configuration, alert rules and Grafana dashboard: valid for their tools, and every query
 * names Fanout metrics (which names the services really export is checked against a live scrape in
 * {@code PrometheusScrapeIT}).
 */
class MonitoringFilesTest {

    @Test
    void promtoolAcceptsTheConfigurationAndTheAlertRules() throws Exception {
        Path promtool = MonitoringFiles.promtool();
        assumeTrue(promtool != null || "true".equals(System.getenv("CI")),
                "promtool is not installed (apt-get install prometheus); CI installs it and runs this test");
        assertThat(promtool).as("CI installs promtool (apt-get install prometheus) before the tests").isNotNull();

        assertThat(run(promtool.toString(), "check", "config", MonitoringFiles.PROMETHEUS.toString()))
                .contains("SUCCESS").contains("alerts.yml");
        assertThat(run(promtool.toString(), "check", "rules", MonitoringFiles.ALERTS.toString()))
                .contains("SUCCESS: 5 rules found");
    }

    @Test
    void everyDashboardPanelAndAlertQueriesFanoutMetrics() throws IOException {
        List<String> panels = MonitoringFiles.dashboardQueries();
        List<String> alerts = MonitoringFiles.alertQueries();

        assertThat(panels).hasSizeGreaterThanOrEqualTo(10).allSatisfy(query ->
                assertThat(MonitoringFiles.metricNames(List.of(query))).as(query).isNotEmpty());
        assertThat(alerts).hasSize(5);
        assertThat(MonitoringFiles.metricNames(panels)).contains("fanout_worker_items_total",
                "fanout_worker_handler_duration_seconds_bucket", "fanout_worker_busy_slot_seconds",
                "fanout_lane_lag", "fanout_worker_dead_letters_total",
                "fanout_aggregator_decisions_total");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
