package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.fanout.aggregator.dashboard.DashboardSettings;

/**
 * {@code fanout aggregator}: the Kafka Streams fan-in and its results API, until SIGTERM or Ctrl-C (exit 0), or until
 * Kafka Streams stops by itself because its stream threads died (exit 1).
 */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = "Run the aggregator: fans item results back in per batch, publishes each batch's decision,"
                + " and serves the results API (GET /batches, /batches/{id}, /batches/{id}/items), a live dashboard at"
                + " /, /metrics, /healthz and /readyz. Exits 1 if Kafka Streams stops by itself (its stream threads died).")
final class AggregatorCommand implements Callable<Integer> {

    /**
     * The properties this command sets from flags, each flag named {@link AggregatorConfig#flag} of it, so an
     * error about one names the flag the user typed ({@code AggregatorCommandTest} checks the options match).
     */
    static final Set<String> FLAG_PROPERTIES = Set.of(AggregatorConfig.APPLICATION_ID, AggregatorConfig.STATE_DIR,
            AggregatorConfig.HTTP_PORT, AggregatorConfig.HTTP_HOST, AggregatorConfig.STANDBY_REPLICAS,
            AggregatorConfig.ITEM_RETENTION);
    /** Flags of the dashboard, not of {@link AggregatorConfig}: its settings are {@code DashboardSettings}. */
    static final Set<String> DASHBOARD_FLAGS = Set.of(AggregatorCommand.UI_ACTIONS);

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--application-id", description = "Kafka Streams application id; instances with the same id"
            + " share the batches (default: <topic prefix>aggregator, e.g. fanout.aggregator).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the state stores live, in DIR/<application id>; kept across restarts, so a restart"
                    + " does not restore them from the changelogs (default: $" + AggregatorConfig.FANOUT_HOME
                    + "/state when " + AggregatorConfig.FANOUT_HOME + " is set, else .fanout/state in the working"
                    + " directory). A second instance on the same machine needs its own.")
    Path stateDir;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the results API and of /healthz and /readyz: 0 for a free one, -1 for none"
                    + " (default: " + AggregatorConfig.DEFAULT_HTTP_PORT + "; a free one if it is taken).")
    Integer httpPort;

    @Option(names = "--http-host", paramLabel = "HOST",
            description = "Address the results API listens on and advertises to the other instances (default: "
                    + AggregatorConfig.DEFAULT_HTTP_HOST + ").")
    String httpHost;

    @Option(names = "--standby-replicas", paramLabel = "N",
            description = "Warm copies of each store on other instances, for a quick takeover; 1 when running two"
                    + " or more (default: " + AggregatorConfig.DEFAULT_STANDBY_REPLICAS + ").")
    Integer standbyReplicas;

    @Option(names = "--item-retention", paramLabel = "DURATION",
            description = "How long a decided batch's items stay queryable, e.g. 7d or 12h (default: 7d).")
    String itemRetention;

    @Option(names = UI_ACTIONS, description = "Let the dashboard (at / of the HTTP port) pause, resume and cancel"
            + " batches and replay their dead letters, for requests that carry the token: $" + UI_TOKEN_ENV
            + " when set, else a new one written to <state dir>/" + UI_TOKEN_FILE + ". Off by default: the dashboard"
            + " is read-only.")
    boolean uiActions;

    static final String UI_ACTIONS = "--ui-actions";
    /** The environment variable that sets the dashboard's action token. */
    static final String UI_TOKEN_ENV = "FANOUT_UI_TOKEN";
    /** Where a made-up token is written, in the state directory. */
    static final String UI_TOKEN_FILE = "ui-token";

    @Override
    public Integer call() throws Exception {
        try {
            return run();
        } catch (ConfigException e) {
            throw inFlagTerms(e);
        }
    }

    /** The error naming the flag of its property, when the property is one this command has a flag for. */
    static ConfigException inFlagTerms(ConfigException error) {
        return error.property().filter(FLAG_PROPERTIES::contains)
                .map(property -> error.renamed(AggregatorConfig.flag(property))).orElse(error);
    }

    private int run() throws Exception {
        AggregatorConfig defaults = AggregatorConfig.of(kafka.settings());
        Path state = stateDir != null ? stateDir
                : AggregatorConfig.defaultStateDir(System.getenv(), Path.of("").toAbsolutePath());
        AggregatorConfig config = new AggregatorConfig(defaults.kafka(),
                applicationId == null ? defaults.applicationId() : applicationId, state,
                defaults.punctuationInterval(), defaults.commitInterval(), defaults.streamThreads(), standbyReplicas,
                httpHost, httpPort,
                itemRetention == null ? null : Durations.parse(itemRetention,
                        AggregatorConfig.flag(AggregatorConfig.ITEM_RETENTION)), null);
        MetricRegistry metrics = new MetricRegistry();
        ServiceMetrics.jmx(metrics); // for the life of the process
        DashboardSettings dashboard = DashboardSettings.readOnly();
        String tokenNote = "";
        if (uiActions) {
            String token = System.getenv(UI_TOKEN_ENV);
            if (token == null || token.isBlank()) {
                Path file = state.resolve(UI_TOKEN_FILE);
                token = UiToken.create(file);
                tokenNote = "; dashboard actions on, token in " + file;
            } else {
                tokenNote = "; dashboard actions on, token from $" + UI_TOKEN_ENV;
            }
            dashboard = new DashboardSettings(new DashboardCommands(config.kafka()), token.strip());
        }
        Aggregator aggregator = Aggregator.start(config, metrics, dashboard);
        Thread shutdown = new Thread(aggregator::close, "fanout-aggregator-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            aggregator.awaitRunning(Duration.ofMinutes(5));
            System.out.println("aggregator " + config.applicationId() + " running on "
                    + config.kafka().bootstrapServers() + "; state in " + state.resolve(config.applicationId())
                    + "; results API " + aggregator.resultsApi().map(URI::toString).map(url -> "at " + url
                            + " (dashboard at " + url + "/)").orElse("off") + tokenNote + "; Ctrl-C stops it.");
        } catch (IllegalStateException notRunning) {
            KafkaStreams.State now = aggregator.state();
            boolean closing = now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING;
            if (aggregator.failure().isEmpty() && !closing) {
                return stop(aggregator, shutdown, notRunning.getMessage()); // not running within the wait
            }
        }
        while (aggregator.isRunning()) {
            try {
                aggregator.awaitStopped(Duration.ofDays(1));
            } catch (TimeoutException stillRunning) {
                // keep waiting
            }
        }
        Optional<Throwable> failure = aggregator.failure();
        if (failure.isPresent()) {
            return stop(aggregator, shutdown, failure.get().getMessage());
        }
        return 0; // closed by the shutdown hook (SIGTERM, Ctrl-C)
    }

    /** Stops an aggregator that failed: says why on stderr, closes it and returns exit code 1. */
    private static int stop(Aggregator aggregator, Thread shutdown, String why) {
        System.err.println("fanout: " + why);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException shuttingDown) {
            // the hook closes it
        }
        aggregator.close();
        return 1;
    }
}
