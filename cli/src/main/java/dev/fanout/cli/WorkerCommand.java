package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import dev.fanout.worker.WorkerConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout worker}: one member of the worker group, until SIGTERM or Ctrl-C (which drain and commit). */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker: a consumer-group member that processes items in parallel. Start more to scale;"
                + " partitions bound how many workers are busy. Settings: --config FILE, then FANOUT_WORKER_*"
                + " environment variables, then these flags.")
final class WorkerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--config", paramLabel = "FILE", description = "Worker configuration (YAML or JSON): handlers,"
            + " bulkheads, rate limiters and the settings below.")
    Path configFile;

    @Option(names = "--concurrency", paramLabel = "N|auto",
            description = "Items running at once in this worker, or auto (default: 64).")
    String concurrency;

    @Option(names = "--group", description = "Consumer group of the workers (default: <topic prefix>workers).")
    String group;

    @Option(names = "--worker-id", description = "This worker's name (default: worker-<host>-<pid>-<random>).")
    String workerId;

    @Option(names = "--ordering", description = "key (same key one at a time, in order), partition, or unordered"
            + " (default: key).")
    String ordering;

    @Option(names = "--lanes", description = "Jobs lanes to consume, comma-separated, each optionally with its group"
            + " (high,normal:share; default: high,normal,low).")
    String lanes;

    @Option(names = "--lane-group", paramLabel = "consumer|share", description = "Group of the lanes that name none:"
            + " consumer (one worker per partition) or share (a Kafka share group: any number of workers per"
            + " partition, needs --ordering unordered; default: consumer).")
    String laneGroup;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of /healthz and /readyz on 127.0.0.1:"
            + " 0 for a free one (printed at start), -1 for none (default: 0).")
    String httpPort;

    @Option(names = "--http-host", paramLabel = "HOST",
            description = "Address /healthz and /readyz listen on (default: 127.0.0.1).")
    String httpHost;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = config(System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        MetricRegistry metrics = new MetricRegistry();
        AutoCloseable jmx = ServiceMetrics.jmx(metrics);
        Worker worker = Worker.start(config, HandlerCatalog.load(), metrics, InstantSource.system(),
                partitions -> System.out.println("worker " + config.workerId() + " owns " + partitions.size()
                        + " partitions: " + new TreeSet<>(partitions.stream().map(Object::toString).toList())));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            closeQuietly(jmx);
            stopped.countDown();
        }, "fanout-worker-shutdown"));
        System.out.println("worker " + config.workerId() + " running (group " + config.groupId() + ", concurrency "
                + config.concurrency() + ", handlers " + String.join(", ", worker.handlerNames()) + ")"
                + worker.endpoint().map(url -> "; health at " + url + "/healthz and /readyz, metrics at " + url + "/metrics")
                        .orElse("")
                + "; Ctrl-C drains and stops it.");
        while (worker.isRunning()) {
            try {
                worker.awaitStopped(Duration.ofDays(1));
            } catch (TimeoutException stillRunning) {
                // keep waiting
            }
        }
        if (worker.failure() != null) {
            System.err.println("fanout: worker stopped: " + worker.failure());
            return 1;
        }
        stopped.await();
        return 0;
    }

    /**
     * The configuration these flags give in the environment {@code env} (its Kafka variables, then the file, then its
     * {@code FANOUT_WORKER_*} variables, then the flags).
     */
    WorkerConfig config(Map<String, String> env) {
        kafka.environment = env;
        return WorkerConfigLoader.load(kafka.settings(), configFile, env, flags());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new HashMap<>();
        put(flags, WorkerConfig.MAX_CONCURRENCY, concurrency);
        put(flags, WorkerConfig.GROUP_ID, group);
        put(flags, WorkerConfig.WORKER_ID, workerId);
        put(flags, WorkerConfig.ORDERING, ordering);
        put(flags, WorkerConfig.LANES, lanes);
        put(flags, WorkerConfig.LANE_GROUP, laneGroup);
        put(flags, WorkerConfig.HTTP_PORT, httpPort);
        put(flags, WorkerConfig.HTTP_HOST, httpHost);
        return flags;
    }

    private static void put(Map<String, String> flags, String property, String value) {
        if (value != null) {
            flags.put(property, value);
        }
    }
}
