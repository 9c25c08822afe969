package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.config.Durations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout aggregator}: the Kafka Streams fan-in and its results API, until SIGTERM or Ctrl-C. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = "Run the aggregator: fans item results back in per batch, publishes each batch's decision,"
                + " and serves the results API (GET /batches, /batches/{id}, /batches/{id}/items).")
final class AggregatorCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--application-id", description = "Kafka Streams application id; instances with the same id"
            + " share the batches (default: <topic prefix>aggregator, e.g. fanout.aggregator).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where state stores live (default: a temporary directory removed on exit).")
    Path stateDir;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the results API: 0 for a free one, -1 for none (default: "
                    + AggregatorConfig.DEFAULT_HTTP_PORT + "; a free one if it is taken).")
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

    @Override
    public Integer call() throws Exception {
        AggregatorConfig defaults = AggregatorConfig.of(kafka.settings());
        AggregatorConfig config = new AggregatorConfig(defaults.kafka(),
                applicationId == null ? defaults.applicationId() : applicationId, stateDir,
                defaults.punctuationInterval(), defaults.commitInterval(), defaults.streamThreads(), standbyReplicas,
                httpHost, httpPort,
                itemRetention == null ? null : Durations.parse(itemRetention, "--item-retention"), null);
        Aggregator aggregator = Aggregator.start(config, new MetricRegistry());
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            aggregator.close();
            closed.countDown();
        }, "fanout-aggregator-shutdown"));
        aggregator.awaitRunning(Duration.ofMinutes(5));
        System.out.println("aggregator " + config.applicationId() + " running on " + config.kafka().bootstrapServers()
                + "; results API " + aggregator.resultsApi().map(URI::toString).map(url -> "at " + url).orElse("off")
                + "; Ctrl-C stops it.");
        closed.await();
        return 0;
    }
}
