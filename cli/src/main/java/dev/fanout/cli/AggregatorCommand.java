package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout aggregator}: the Kafka Streams fan-in, until SIGTERM or Ctrl-C. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = "Run the aggregator: fans item results back in per batch and publishes each batch's decision.")
final class AggregatorCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--application-id", description = "Kafka Streams application id; instances with the same id"
            + " share the batches (default: <topic prefix>aggregator, e.g. fanout.aggregator).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where state stores live (default: a temporary directory removed on exit).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        AggregatorConfig config = AggregatorConfig.of(kafka.settings()).withStateDir(stateDir);
        if (applicationId != null) {
            config = config.withApplicationId(applicationId);
        }
        Aggregator aggregator = Aggregator.start(config, new MetricRegistry());
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            aggregator.close();
            closed.countDown();
        }, "fanout-aggregator-shutdown"));
        aggregator.awaitRunning(Duration.ofMinutes(5));
        System.out.println("aggregator " + config.applicationId() + " running on " + config.kafka().bootstrapServers()
                + "; Ctrl-C stops it.");
        closed.await();
        return 0;
    }
}
