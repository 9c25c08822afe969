package dev.fanout.worker;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.worker.handlers.SimulateHandlerProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import dev.fanout.protocol.Lane;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker in its own JVM, for tests that kill or stop a worker process. Arguments: bootstrap servers, topic prefix,
 * group, worker id, concurrency, and optionally {@code share} (the normal lane on a share group, unordered). Prints {@code ASSIGNED <n>} on every assignment and {@code STARTED <index>} when an
 * item of the {@code announce} handler starts; SIGTERM closes the worker (drain and commit).
 */
public final class ChildWorker {

    private ChildWorker() {
    }

    public static void main(String[] args) throws Exception {
        KafkaSettings kafka = KafkaSettings.of(args[0]).withTopicPrefix(args[1]);
        WorkerConfig config = WorkerConfig.of(kafka).withGroupId(args[2]).withWorkerId(args[3])
                .withMaxConcurrency(Integer.parseInt(args[4]));
        if (args.length > 5 && args[5].equals("share")) {
            config = config.withOrdering(OrderingMode.UNORDERED).withShareLanes(Set.of(Lane.NORMAL));
        }
        HandlerCatalog catalog = HandlerCatalog.of(List.of(new SimulateHandlerProvider(), new Announce()));
        Worker worker = Worker.start(config, catalog, new MetricRegistry(), InstantSource.system(),
                owned -> say("ASSIGNED " + owned.size()));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            say("CLOSED");
            closed.countDown();
        }));
        closed.await(1, TimeUnit.DAYS);
    }

    /** Starts a child JVM running this class with the current classpath; its output goes to {@code log}. */
    static Process launch(String bootstrap, String prefix, String group, String workerId, int concurrency, Path log)
            throws IOException {
        return launch(bootstrap, prefix, group, workerId, concurrency, log, false);
    }

    /** The same, with the normal lane on a share group when {@code share}. */
    static Process launch(String bootstrap, String prefix, String group, String workerId, int concurrency, Path log,
            boolean share) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // a short-lived JVM on shared cores: no C2, no G1 threads
                "-cp", System.getProperty("java.class.path"), ChildWorker.class.getName(),
                bootstrap, prefix, group, workerId, Integer.toString(concurrency)));
        if (share) {
            command.add("share");
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** {@code announce}: says STARTED, then sleeps the payload's {@code sleepMs}. */
    static final class Announce implements ItemHandlerProvider {
        @Override
        public String name() {
            return "announce";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> {
                say("STARTED " + item.context().index());
                Thread.sleep(item.payload().path("sleepMs").asLong(0));
                return null;
            };
        }
    }
}
