package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.StrictMapper;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Lane;
import dev.fanout.worker.HandlerRegistry;
import dev.fanout.worker.OrderingMode;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fanout worker}: one member of the worker group, until SIGTERM or Ctrl-C (which drain and commit). */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker: a consumer-group member that processes items in parallel. Start more to scale.")
final class WorkerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--concurrency", defaultValue = "" + WorkerConfig.DEFAULT_MAX_CONCURRENCY,
            description = "Items running at once in this worker (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--group", description = "Consumer group of the workers (default: <topic prefix>workers,"
            + " e.g. fanout.workers).")
    String group;

    @Option(names = "--worker-id", description = "This worker's name (default: worker-<host>-<pid>-<random>).")
    String workerId;

    @Option(names = "--ordering", defaultValue = "key",
            description = "key (same key one at a time, in order), partition, or unordered (default: ${DEFAULT-VALUE}).")
    String ordering;

    @Option(names = "--lanes", split = ",", defaultValue = "high,normal,low",
            description = "Jobs lanes to consume (default: ${DEFAULT-VALUE}).")
    List<String> lanes;

    @Option(names = "--handler-settings", paramLabel = "NAME=JSON",
            description = "Settings of one handler, e.g. simulate='{\"latencyMs\":50}'. Repeatable.")
    Map<String, String> handlerSettings = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = config(kafka.settings());
        HandlerRegistry handlers = HandlerRegistry.create(HandlerCatalog.load(), config.handlerSettings());
        CountDownLatch stopped = new CountDownLatch(1);
        Worker worker = Worker.start(config, handlers, new MetricRegistry(), InstantSource.system(),
                partitions -> System.out.println("worker " + config.workerId() + " owns " + partitions.size()
                        + " partitions: " + new TreeSet<>(partitions.stream().map(Object::toString).toList())));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "fanout-worker-shutdown"));
        System.out.println("worker " + config.workerId() + " running (group " + config.groupId() + ", handlers "
                + handlers.names() + "); Ctrl-C drains and stops it.");
        while (worker.isRunning()) {
            try {
                worker.awaitStopped(java.time.Duration.ofDays(1));
            } catch (java.util.concurrent.TimeoutException stillRunning) {
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

    WorkerConfig config(dev.fanout.config.KafkaSettings settings) {
        WorkerConfig config = WorkerConfig.of(settings).withMaxConcurrency(concurrency)
                .withOrdering(OrderingMode.of(ordering))
                .withHandlerSettings(parseSettings(handlerSettings));
        if (workerId != null) {
            config = config.withWorkerId(workerId);
        }
        if (group != null) {
            config = config.withGroupId(group);
        }
        List<Lane> chosen = lanes.stream().map(Lane::of).toList();
        return new WorkerConfig(config.kafka(), config.groupId(), config.workerId(), chosen, config.maxConcurrency(),
                config.maxBuffered(), config.ordering(), config.commitInterval(), config.drainTimeout(),
                config.maxRecordBytes(), config.handlerSettings());
    }

    static Map<String, JsonNode> parseSettings(Map<String, String> raw) {
        Map<String, JsonNode> parsed = new HashMap<>();
        raw.forEach((name, json) -> {
            try {
                parsed.put(name, StrictMapper.json().readTree(json));
            } catch (JsonProcessingException e) {
                throw new ConfigException("--handler-settings " + name + ": not valid JSON: " + e.getOriginalMessage());
            }
        });
        return parsed;
    }
}
