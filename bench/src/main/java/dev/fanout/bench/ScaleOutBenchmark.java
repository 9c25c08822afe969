package dev.fanout.bench;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.EmbeddedKafkaBroker;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.config.TopicScan;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.worker.HandlerSpec;
import dev.fanout.worker.OrderingMode;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code scripts/bench.sh scaleout}: 1, 2, 4, 8 and 16 workers on a lane of 4 partitions, each worker with a small
 * concurrency, calling an HTTP downstream that answers in 50 ms; the lane on the consumer group, then on a share
 * group. Reports items per second (first to last result) and reruns (results beyond one per item) for each. A
 * consumer group gives at most one worker per partition work, so it stops scaling at 4 workers; a share group does
 * not.
 *
 * <p>Options: {@code --workers 1,2,4,8,16 --partitions 4 --concurrency 8 --latency-ms 50 --items-per-worker 400}.
 */
final class ScaleOutBenchmark {

    private ScaleOutBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            options.put(args.get(i).replaceFirst("^--", ""), args.get(i + 1));
        }
        List<Integer> counts = List.of(options.getOrDefault("workers", "1,2,4,8,16").split(",")).stream()
                .map(String::trim).map(Integer::parseInt).toList();
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "4"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "8"));
        long latencyMs = Long.parseLong(options.getOrDefault("latency-ms", "50"));
        int perWorker = Integer.parseInt(options.getOrDefault("items-per-worker", "400"));

        HttpServer downstream = downstream(latencyMs);
        String url = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/items/{{n}}";
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withMaxHeap("1g"))) {
            for (boolean share : List.of(false, true)) {
                for (int workers : counts) {
                    int items = perWorker * workers;
                    double[] figures = round(broker, share, workers, partitions, concurrency, url, items);
                    String row = String.format(Locale.ROOT, "%-8s %7d %7d %12.0f %12.0f %8d", share ? "share"
                            : "consumer", workers, items, figures[0], Math.min(workers, share ? workers : partitions)
                            * concurrency * 1000.0 / latencyMs, (long) figures[1]);
                    System.out.println(row);
                    System.out.printf(Locale.ROOT, "RESULT scaleout group=%s workers=%d items=%d rate=%.0f"
                            + " reruns=%d%n", share ? "share" : "consumer", workers, items, figures[0],
                            (long) figures[1]);
                    rows.add(row);
                }
            }
        } finally {
            downstream.stop(0);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%d partitions, concurrency %d per worker, downstream %d ms%n", partitions,
                concurrency, latencyMs);
        System.out.printf(Locale.ROOT, "%-8s %7s %7s %12s %12s %8s%n", "group", "workers", "items", "items/s",
                "bound/s", "reruns");
        rows.forEach(System.out::println);
        return 0;
    }

    /** One round: fresh topics, the workers started and ready, then the items published; returns rate and reruns. */
    private static double[] round(EmbeddedKafkaBroker broker, boolean share, int workers, int partitions,
            int concurrency, String url, int items) throws Exception {
        KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers())
                .withTopicPrefix("scale-" + UUID.randomUUID().toString().substring(0, 6) + ".")
                .withPartitions(partitions, partitions);
        TopicInitializer.ensure(settings, settings.topics().all());
        WorkerConfig base = WorkerConfig.of(settings).withMaxConcurrency(concurrency)
                .withOrdering(OrderingMode.UNORDERED).withHttp("127.0.0.1", -1)
                .withHandlers(Map.of("downstream", new HandlerSpec("http",
                        JsonNodeFactory.instance.objectNode().put("url", url), null, null)), Map.of(), Map.of());
        if (share) {
            base = base.withShareLanes(Set.of(Lane.NORMAL));
        }
        List<Worker> started = new ArrayList<>();
        try {
            for (int i = 0; i < workers; i++) {
                started.add(Worker.start(base.withWorkerId("w" + i), HandlerCatalog.load(), new MetricRegistry(),
                        InstantSource.system(), null));
            }
            while (!started.stream().allMatch(worker -> worker.readiness().passing())) {
                Thread.sleep(50); // a benchmark waiting for its workers, not test synchronisation
            }
            String batchId = "scale-" + (share ? "share" : "group") + "-" + workers;
            publish(settings, batchId, items);
            while (started.stream().mapToLong(w -> w.metrics().succeeded().getCount()
                    + w.metrics().failed().getCount()).sum() < items) {
                Thread.sleep(20);
            }
            return fromResults(settings, batchId);
        } finally {
            started.parallelStream().forEach(Worker::close);
        }
    }

    /** An HTTP service that answers every request after {@code latencyMs}, each on a virtual thread. */
    private static HttpServer downstream(long latencyMs) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(latencyMs); // the downstream's own work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void publish(KafkaSettings settings, String batchId, int items) {
        Map<String, Object> props = settings.clientProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            for (int index = 0; index < items; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, batchId, Integer.toString(index), index,
                        (long) items, "downstream", null, JsonNodeFactory.instance.objectNode().put("n", index),
                        JobRecord.defaultTraceId(batchId, index), 1, now);
                ProducerRecord<String, byte[]> record =
                        new ProducerRecord<>(topic, Integer.toString(index), Envelopes.encode(job));
                FanoutHeaders.putIdentity(record.headers(), job);
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Items per second from the first to the last result, and results beyond one per item. */
    private static double[] fromResults(KafkaSettings settings, String batchId) {
        Instant[] range = {Instant.MAX, Instant.MIN};
        Set<Long> seen = new HashSet<>();
        long[] reruns = {0};
        TopicScan.readAll(settings, settings.topics().results().name(), record -> {
            ItemResult result = Envelopes.decode(record.value(), ItemResult.class);
            if (!seen.add(result.index())) {
                reruns[0]++;
            }
            range[0] = result.finishedAt().isBefore(range[0]) ? result.finishedAt() : range[0];
            range[1] = result.finishedAt().isAfter(range[1]) ? result.finishedAt() : range[1];
        });
        double seconds = Math.max(0.001, Duration.between(range[0], range[1]).toMillis() / 1000.0);
        return new double[] {seen.size() / seconds, reruns[0]};
    }
}
