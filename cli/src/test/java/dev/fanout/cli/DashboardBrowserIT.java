package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchSignals;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The live dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), against a broker,
 * an aggregator, a worker and a dispatch, each a {@code fanout} process: a running batch's progress moves over
 * Server-Sent Events without a reload, an item's drill-down shows its payload and error, the timeline of a
 * 10,000-item batch is drawn, and actions exist only on an aggregator started with {@code --ui-actions}, where they
 * need its token. It saves a screenshot ({@code -Dfanout.screenshots=DIR}, default {@code target/screenshots}).
 */
@ExtendWith(KafkaExtension.class)
class DashboardBrowserIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final int ITEMS = 10_000;
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private FanoutProcesses fanout;
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (fanout != null) {
            fanout.close();
        }
    }

    @Test
    void theDashboardFollowsABatchLiveDrillsIntoAnItemDrawsItsTimelineAndOffersActionsOnlyWhenTurnedOn(
            TestKafka kafka) throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        assumeTrue(installed || "true".equals(System.getenv("CI")),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver); CI"
                        + " installs them and runs this test");
        assertThat(installed).as("CI installs chromium and chromium-driver before the tests").isTrue();
        fanout = new FanoutProcesses(dir);
        String servers = kafka.bootstrapServers();
        String prefix = "ui-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        int port = FanoutProcesses.freePort();
        FanoutProcesses.Service aggregator = fanout.start("aggregator", "aggregator", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--http-port", Integer.toString(port),
                "--state-dir", dir.resolve("state").toString());
        FanoutProcesses.Service worker = fanout.start("worker", "worker", "--bootstrap-servers", servers,
                "--topic-prefix", prefix, "--config", workerConfig().toString(), "--worker-id", "ui-w1");
        browser = chromium(); // while the services start
        worker.awaitLine("owns \\d+ partitions", START);
        aggregator.awaitLine("aggregator .* running", START);
        String dashboard = "http://127.0.0.1:" + port + "/";
        browser.get(dashboard);
        await("the dashboard connects its event stream").atMost(START)
                .until(() -> browser.findElement(By.id("live")).getText().equals("live"));
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

        FanoutProcesses.Service dispatch = fanout.start("dispatch", "dispatch", batch().toString(), "--items",
                items().toString(), "--bootstrap-servers", servers, "--topic-prefix", prefix, "--wait", "--json");

        String progress = "tr[data-batch='ui-batch'] .progress";
        long seen = await("the running batch appears with its progress").atMost(START)
                .until(() -> finished(progress), n -> n != null && n > 0 && n < ITEMS);
        await("its progress moves while the page stays loaded").atMost(START)
                .until(() -> finished(progress), n -> n != null && n > seen);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                .as("updated over Server-Sent Events, not by reloading the page").isEqualTo(true);
        assertThat(text("tr[data-batch='ui-batch'] .progress .threshold", "title")).isEqualTo("minSuccessRate 0.9");

        click(By.linkText("ui-batch"));
        await("the running batch's timeline is drawn, then grows by the bars added since each fetch").atMost(START)
                .until(this::timelineBars, n -> n > 0 && n < ITEMS);
        assertThat(dispatch.awaitExit(START)).as(dispatch.output()).isZero();
        // the aggregator with actions starts now, so it reads the batch while this page is checked
        int actionsPort = FanoutProcesses.freePort();
        FanoutProcesses.Service withActions = fanout.start("aggregator-actions", "aggregator",
                "--bootstrap-servers", servers, "--topic-prefix", prefix, "--http-port", Integer.toString(actionsPort),
                "--application-id", prefix + "aggregator-2", "--state-dir", dir.resolve("state-2").toString(),
                "--ui-actions");
        await("the decision reaches the batch page").atMost(START)
                .until(() -> browser.findElement(By.id("batch-status")).getText(), text -> text.startsWith("succeeded"));
        await("the timeline draws every item of the 10,000").atMost(START).until(() -> browser.findElement(
                By.cssSelector("#timeline canvas")).getAttribute("data-bars"), bars -> String.valueOf(ITEMS).equals(bars));
        WebElement canvas = browser.findElement(By.cssSelector("#timeline canvas"));
        assertThat(Integer.parseInt(canvas.getAttribute("data-drawn"))).isEqualTo(ITEMS);
        assertThat(Integer.parseInt(canvas.getAttribute("data-rows"))).as("one row per worker slot in use")
                .isBetween(2, 32);
        assertThat(browser.findElement(By.id("timeline-note")).getText()).contains("10,000 items", "1 worker(s)");
        assertThat(browser.findElement(By.id("speedup")).getText()).matches("\\d+(\\.\\d+)?x .*");
        assertThat(browser.findElements(By.id("actions"))).as("no actions without --ui-actions").isEmpty();
        assertThat(browser.findElements(By.cssSelector("button[data-action]"))).isEmpty();
        screenshot("dashboard-batch.png");

        browser.findElement(By.id("item-filter")).sendKeys("failed");
        await("the failed items are listed").atMost(START).until(() -> !browser.findElements(
                By.cssSelector("#items tbody tr[data-index]")).isEmpty());
        String index = click(By.cssSelector("#items tbody tr[data-index]"), row -> row.getAttribute("data-index"));
        await("the drill-down shows the item's payload from its job record").atMost(START).until(() ->
                browser.findElement(By.id("drill-payload")).getText(), text -> text.contains("\"n\": " + index));
        assertThat(browser.findElement(By.id("drill-error")).getText()).contains("simulated failure");
        assertThat(browser.findElement(By.id("drill-facts")).getText()).contains("ui-w1", "HANDLER_ERROR");
        screenshot("dashboard-item.png");
        click(By.cssSelector("#drill .close"));

        browser.get(dashboard + "#/workers");
        await("the worker registry is shown").atMost(START).until(() -> text("tr[data-worker='ui-w1']", null),
                row -> row != null && row.contains("live") && row.contains("sim"));

        String tokenFile = withActions.awaitLine("dashboard actions on, token in (\\S+);", START).group(1);
        String token = Files.readString(Path.of(tokenFile)).strip();
        assertThat(withActions.output()).doesNotContain(token);
        browser.get("http://127.0.0.1:" + actionsPort + "/#/batch/ui-batch");
        await("the actions are offered").atMost(START).until(() -> browser.findElements(
                By.cssSelector("#actions button[data-action]")).size() == 4);
        String action = "http://127.0.0.1:" + actionsPort + "/ui/api/actions/ui-batch/pause";
        assertThat(post(action, "wrong-token-wrong-token").statusCode()).isEqualTo(401);
        HttpResponse<String> paused = post(action, token);
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(paused.body()).contains("pause signal sent for batch ui-batch");
        try (BatchSignals signals = BatchSignals.create(KafkaSettings.of(servers).withTopicPrefix(prefix),
                InstantSource.system())) {
            assertThat(signals.inForce("ui-batch")).as("the pause is on the control topic").hasValueSatisfying(
                    signal -> assertThat(signal.action()).isEqualTo(ControlSignal.Action.PAUSE));
        }
    }

    /** The progress bar's finished count, read in one script (the list is redrawn every second). */
    private Long finished(String progress) {
        String finished = text(progress, "data-finished");
        return finished == null ? null : Long.parseLong(finished);
    }

    /** An element's attribute, or its text when {@code attribute} is null; null when there is no such element. */
    private String text(String selector, String attribute) {
        return (String) ((JavascriptExecutor) browser).executeScript("const e = document.querySelector(arguments[0]);"
                + " return e === null ? null : arguments[1] === null ? e.innerText : e.getAttribute(arguments[1]);",
                selector, attribute);
    }

    private HttpResponse<String> post(String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private WebDriver chromium() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1200", "--user-data-dir=" + Files.createDirectories(
                        dir.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }

    /** Clicks what {@code locator} finds, again if a live update replaced the element between finding and click. */
    private int timelineBars() {
        List<WebElement> canvas = browser.findElements(By.cssSelector("#timeline canvas"));
        String bars = canvas.isEmpty() ? null : canvas.get(0).getAttribute("data-bars");
        return bars == null ? 0 : Integer.parseInt(bars);
    }

    private void click(By locator) {
        click(locator, element -> "clicked");
    }

    /** Clicks what {@code locator} finds and returns what {@code read} took from the element clicked. */
    private String click(By locator, Function<WebElement, String> read) {
        return await("click " + locator).atMost(START).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                .until(() -> {
                    WebElement element = browser.findElement(locator);
                    String value = read.apply(element);
                    element.click();
                    return value;
                }, Objects::nonNull);
    }

    private void screenshot(String name) throws IOException {
        Path folder = Path.of(System.getProperty("fanout.screenshots", "target/screenshots"));
        Files.createDirectories(folder);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path workerConfig() throws IOException {
        Path file = dir.resolve("worker.yaml");
        Files.writeString(file, """
                maxConcurrency: 16
                handlers:
                  sim:
                    type: simulate
                    retry: {maximumAttempts: 1}
                    settings: {latencyMs: 4, distribution: uniform, failureRate: 0.01, seed: 11}
                """);
        return file;
    }

    private Path batch() throws IOException {
        Path file = dir.resolve("batch.yaml");
        Files.writeString(file, """
                batchId: ui-batch
                handler: sim
                policy: {strategy: best_effort, minSuccessRate: 0.9}
                rateLimit: 800
                """);
        return file;
    }

    private Path items() throws IOException {
        Path file = dir.resolve("items.jsonl");
        Files.writeString(file, IntStream.range(0, ITEMS).mapToObj(i -> "{\"n\":" + i + "}")
                .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }
}
