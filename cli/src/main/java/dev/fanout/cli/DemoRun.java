package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.aggregator.Aggregator;
import dev.fanout.aggregator.AggregatorConfig;
import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.EmbeddedKafkaBroker;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.dispatcher.BatchResultReader;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchItem;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.ItemSource;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.BatchPolicy;
import dev.fanout.protocol.BatchResult;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One demo run: owns the broker (when embedded), the aggregator, the workers and the dispatcher, and closes them all,
 * also on Ctrl-C.
 */
final class DemoRun implements AutoCloseable {

    /** The demo's knobs. */
    record Options(long items, int workers, int concurrency, long latencyMs, double failureRate, long seed,
            BatchPolicy policy, Duration timeout) {
    }

    private final Options options;
    private final PrintStream out;
    private final MetricRegistry metrics = new MetricRegistry();
    private final List<Worker> workers = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::closeAll, "fanout-demo-shutdown");
    private EmbeddedKafkaBroker broker;
    private KafkaSettings settings;
    private Aggregator aggregator;
    private Dispatcher dispatcher;
    private volatile boolean closed;

    private DemoRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    static DemoRun start(KafkaOptions kafka, Options options, PrintStream out) {
        DemoRun run = new DemoRun(options, out);
        Runtime.getRuntime().addShutdownHook(run.shutdownHook);
        try {
            run.startServices(kafka);
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private void startServices(KafkaOptions kafka) {
        if (kafka.given()) {
            settings = kafka.settings();
            out.println("Using Kafka at " + settings.bootstrapServers());
        } else {
            out.println("Starting an embedded Kafka " + EmbeddedKafkaBroker.kafkaVersion()
                    + " broker (KRaft, 127.0.0.1) ...");
            broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults());
            settings = kafka.settings(broker.bootstrapServers());
            out.println("Broker ready at " + broker.bootstrapServers());
        }
        TopicInitializer.ensure(settings, settings.topics().all());
        aggregator = Aggregator.start(AggregatorConfig.of(settings), metrics);
        aggregator.awaitRunning(Duration.ofMinutes(2));
        HandlerCatalog catalog = HandlerCatalog.load();
        String run = UUID.randomUUID().toString().substring(0, 6);
        for (int i = 1; i <= options.workers(); i++) {
            WorkerConfig config = WorkerConfig.of(settings).withWorkerId("demo-" + run + "-worker-" + i)
                    .withMaxConcurrency(options.concurrency());
            workers.add(Worker.start(config, catalog, metrics, InstantSource.system(), null));
        }
        dispatcher = new Dispatcher(settings, catalog, metrics, InstantSource.system());
        out.printf("Aggregator and %d workers (concurrency %d each) started%n", options.workers(),
                options.concurrency());
    }

    DemoSummary execute() {
        BatchSpec spec = BatchSpec.of("simulate")
                .withBatchId("demo-" + UUID.randomUUID().toString().substring(0, 8))
                .withSettings(simulateSettings())
                .withPolicy(options.policy());
        out.printf("Dispatching batch %s: %,d items, handler simulate (%d ms mean latency, %.1f%% failures)%n",
                spec.batchId(), options.items(), options.latencyMs(), options.failureRate() * 100);
        CompletableFuture<?> dispatched = CompletableFuture.runAsync(() -> dispatcher.publish(spec,
                generated(options.items())), runnable -> Thread.ofVirtual().name("fanout-demo-dispatch").start(runnable));
        BatchResult result;
        try (Progress progress = new Progress(out, Terminal.isInteractive(), options.items(), this::finished,
                this::failed).start()) {
            result = BatchResultReader.await(settings, InstantSource.system(), spec.batchId(), options.timeout(),
                    () -> healthy(dispatched)).orElseThrow(() -> new CommandFailedException(noDecision(dispatched)));
        }
        long deadLetters = DeadLetterCount.of(settings, spec.batchId());
        return DemoSummary.of(result, deadLetters, options.workers(), options.concurrency(),
                settings.bootstrapServers(), settings.topics().deadLetters().name(), broker != null);
    }

    private boolean healthy(CompletableFuture<?> dispatched) {
        return !closed && !dispatched.isCompletedExceptionally() && workers.stream().allMatch(Worker::isRunning)
                && aggregator.state().isRunningOrRebalancing();
    }

    private String noDecision(CompletableFuture<?> dispatched) {
        if (closed) {
            return "interrupted: the demo stopped its workers, aggregator and broker";
        }
        if (dispatched.isCompletedExceptionally()) {
            return "dispatching failed: " + dispatched.exceptionNow();
        }
        for (Worker worker : workers) {
            if (!worker.isRunning()) {
                return "worker " + worker.config().workerId() + " stopped: " + worker.failure();
            }
        }
        if (!aggregator.state().isRunningOrRebalancing()) {
            return "the aggregator stopped";
        }
        return "no decision within " + options.timeout();
    }

    private long finished() {
        return workers.stream().mapToLong(w -> w.metrics().succeeded().getCount() + w.metrics().failed().getCount())
                .sum();
    }

    private long failed() {
        return workers.stream().mapToLong(w -> w.metrics().failed().getCount()).sum();
    }

    private ObjectNode simulateSettings() {
        ObjectNode settings = JsonNodeFactory.instance.objectNode();
        settings.put("latencyMs", options.latencyMs());
        settings.put("distribution", "uniform");
        settings.put("failureRate", options.failureRate());
        settings.put("seed", options.seed());
        return settings;
    }

    private static ItemSource generated(long count) {
        return new ItemSource() {
            private long next;

            @Override
            public DispatchItem next() {
                if (next >= count) {
                    return null;
                }
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                payload.set("n", IntNode.valueOf((int) next++));
                return DispatchItem.of(payload);
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.of(count);
            }

            @Override
            public void close() {
                // generated: nothing to release
            }
        };
    }

    @Override
    public void close() {
        closeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is closing everything already
        }
    }

    private synchronized void closeAll() {
        if (closed) {
            return;
        }
        closed = true;
        if (dispatcher != null) {
            dispatcher.close();
        }
        workers.forEach(Worker::close);
        if (aggregator != null) {
            aggregator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
