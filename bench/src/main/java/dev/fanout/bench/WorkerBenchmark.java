package dev.fanout.bench;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.fanout.protocol.TopicDescriptor;

/**
 * {@code scripts/bench.sh worker}: one worker, {@code simulate} at a fixed latency, key ordering over many keys.
 * Compares its rate, measured from the first to the last result, with what Little's law allows
 * (concurrency / latency) and, on the same broker in the same run, with a plain {@code KafkaConsumer} loop that
 * processes each record in turn.
 *
 * <p>Then the in-flight check: a worker in a child JVM with {@code -Xmx512m} and {@code maxConcurrency} 10,000 runs
 * 20,000 items of 2 s each, and reports the peak of items running at once and of the heap used.
 *
 * <p>A warm-up batch ({@code --warmup} items, default 20,000, run by the same worker just before) lets the JIT
 * compile the hot paths first, as in any long-running worker; only the measured batch's results count, and the
 * figures of a cold run ({@code --warmup 0}) are reported beside them in docs/PERFORMANCE.md.
 *
 * <p>Options: {@code --items 50000 --keys 10000 --partitions 8 --concurrency 200 --latency-ms 20
 * --warmup 20000 --plain-items 300 --inflight 10000}.
 */
final class WorkerBenchmark {

    private WorkerBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        Map<String, String> options = BenchOptions.parse(args);
        int items = Integer.parseInt(options.getOrDefault("items", "50000"));
        int keys = Integer.parseInt(options.getOrDefault("keys", "10000"));
        int partitions = Integer.parseInt(options.getOrDefault("partitions", "8"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "200"));
        long latencyMs = Long.parseLong(options.getOrDefault("latency-ms", "20"));
        int plainItems = Integer.parseInt(options.getOrDefault("plain-items", "300"));
        int inFlight = Integer.parseInt(options.getOrDefault("inflight", "10000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "20000"));

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withMaxHeap("1g"))) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers())
                    .withTopicPrefix("bench-" + UUID.randomUUID().toString().substring(0, 6) + ".")
                    .withPartitions(partitions, partitions);
            TopicInitializer.ensure(settings, settings.topics().all());
            System.out.printf(Locale.ROOT, "publishing %,d warm-up and %,d measured jobs over %,d keys to %d"
                    + " partitions ...%n", warmup, items, keys, partitions);
            publish(settings, "warmup", warmup, keys, latencyMs);
            publish(settings, "bench", items, keys, latencyMs);

            System.out.printf(Locale.ROOT, "one worker, maxConcurrency %d, key ordering, %d ms per item ...%n",
                    concurrency, latencyMs);
            WorkerConfig config = WorkerConfig.of(settings).withWorkerId("bench-worker")
                    .withMaxConcurrency(concurrency);
            MetricRegistry metrics = new MetricRegistry();
            try (Worker worker = Worker.start(config, HandlerCatalog.load(), metrics, InstantSource.system(), null)) {
                int starved = 0;
                while (worker.metrics().succeeded().getCount() + worker.metrics().failed().getCount()
                        < warmup + items) {
                    Thread.sleep(20); // a benchmark's progress poll, not test synchronisation
                    long done = worker.metrics().succeeded().getCount() + worker.metrics().failed().getCount();
                    boolean measuring = done > warmup && done < warmup + items - concurrency;
                    if (measuring && worker.unfinished() < concurrency) {
                        starved++; // fewer items buffered than slots: the worker waits for Kafka
                    }
                }
                System.out.printf(Locale.ROOT, "samples (every 20 ms) with fewer items buffered than slots: %d%n",
                        starved);
            }
            double[] measured = rateFromResults(settings, "bench", items);
            double fanoutRate = measured[0];

            System.out.printf(Locale.ROOT, "plain KafkaConsumer loop, one record at a time, %,d records ...%n",
                    plainItems);
            double plainRate = plainLoop(settings, plainItems, latencyMs);

            double littlesLaw = concurrency * 1000.0 / latencyMs;
            System.out.println();
            System.out.printf(Locale.ROOT, "%-44s %,12.0f items/s%n", "Fanout worker (first to last result)",
                    fanoutRate);
            System.out.printf(Locale.ROOT, "%-44s %,12.0f items/s%n", "Little's law (concurrency / latency)",
                    littlesLaw);
            System.out.printf(Locale.ROOT, "%-44s %,12.1f %%%n", "Fanout / Little's law", 100 * fanoutRate / littlesLaw);
            System.out.printf(Locale.ROOT, "%-44s %,12.1f ms (asked %d ms)%n", "mean handler time (sleep overshoot)",
                    measured[1], latencyMs);
            System.out.printf(Locale.ROOT, "%-44s %,12.1f %%%n", "Fanout / Little's law at that handler time",
                    100 * fanoutRate / (concurrency * 1000.0 / measured[1]));
            System.out.printf(Locale.ROOT, "%-44s %,12.0f items/s%n", "plain KafkaConsumer loop", plainRate);
            System.out.printf(Locale.ROOT, "%-44s %,12.1f x%n", "Fanout / plain loop", fanoutRate / plainRate);
            System.out.printf(Locale.ROOT, "RESULT worker items=%d warmup=%d concurrency=%d latencyMs=%d fanout=%.0f"
                    + " littlesLaw=%.0f plain=%.0f%n", items, warmup, concurrency, latencyMs, fanoutRate, littlesLaw,
                    plainRate);

            if (inFlight > 0) {
                inFlightCheck(broker, inFlight);
            }
        }
        return 0;
    }

    /** One worker, -Xmx512m, maxConcurrency {@code inFlight}, 2 x inFlight items of 2 s each. */
    private static void inFlightCheck(EmbeddedKafkaBroker broker, int inFlight) {
        KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers())
                .withTopicPrefix("inflight-" + UUID.randomUUID().toString().substring(0, 6) + ".")
                .withPartitions(8, 8);
        TopicInitializer.ensure(settings, settings.topics().all());
        int items = inFlight * 2;
        System.out.printf(Locale.ROOT, "%nin-flight check: one worker, -Xmx512m, maxConcurrency %,d, %,d items of"
                + " 2 s ...%n", inFlight, items);
        publish(settings, "inflight", items, items, 2_000);
        List<String> lines = ChildJvm.run("512m", InFlightChild.class.getName(), List.of(broker.bootstrapServers(),
                settings.topicPrefix(), Integer.toString(inFlight), Integer.toString(items)));
        String figures = lines.get(lines.size() - 1);
        System.out.println("in-flight check: " + figures + " (heap limit 512 MB)");
        System.out.println("RESULT inflight concurrency=" + inFlight + " " + figures);
    }

    private static void publish(KafkaSettings settings, String batchId, int items, int keys, long latencyMs) {
        Map<String, Object> props = settings.clientProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        ObjectNode jobSettings = JsonNodeFactory.instance.objectNode().put("latencyMs", latencyMs)
                .put("distribution", "fixed");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            for (int index = 0; index < items; index++) {
                JobRecord job = new JobRecord(Envelopes.SCHEMA_VERSION, batchId, Integer.toString(index), index,
                        (long) items, "simulate", jobSettings, JsonNodeFactory.instance.objectNode().put("n", index),
                        JobRecord.defaultTraceId(batchId, index), 1, now);
                ProducerRecord<String, byte[]> record =
                        new ProducerRecord<>(topic, "key-" + (index % keys), Envelopes.encode(job));
                FanoutHeaders.putIdentity(record.headers(), job);
                producer.send(record);
            }
            producer.flush();
        }
    }

    /**
     * Items per second from the first to the last {@code finishedAt} of the batch's results, and the mean handler
     * time they report.
     */
    private static double[] rateFromResults(KafkaSettings settings, String batchId, int items) {
        Instant[] range = {Instant.MAX, Instant.MIN};
        int[] count = {0};
        long[] handlerMs = {0};
        TopicScan.readAll(settings, settings.topics().results().name(), record -> {
            ItemResult result = Envelopes.decode(record.value(), ItemResult.class);
            if (!result.batchId().equals(batchId)) {
                return;
            }
            handlerMs[0] += result.durationMs();
            Instant finished = result.finishedAt();
            range[0] = finished.isBefore(range[0]) ? finished : range[0];
            range[1] = finished.isAfter(range[1]) ? finished : range[1];
            count[0]++;
        });
        if (count[0] < items) {
            throw new IllegalStateException("only " + count[0] + " of " + items + " results");
        }
        double rate = count[0] / Math.max(0.001, Duration.between(range[0], range[1]).toMillis() / 1000.0);
        return new double[] {rate, (double) handlerMs[0] / count[0]};
    }

    /** The baseline: poll, then for each record decode it, do the item's work, publish its result, commit. */
    private static double plainLoop(KafkaSettings settings, int records, long latencyMs) throws Exception {
        Map<String, Object> consumerProps = settings.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + UUID.randomUUID());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        Map<String, Object> producerProps = settings.clientProperties();
        String results = settings.topics().results().name() + "-plain";
        TopicInitializer.ensure(settings, List.of(new TopicDescriptor<>(results, byte[].class,
                1, Map.of())));
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(settings.topics().jobs(Lane.NORMAL).name()));
            int done = 0;
            long start = 0;
            while (done < records) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (start == 0) {
                        start = System.nanoTime();
                    }
                    JobRecord job = Envelopes.decode(record.value(), JobRecord.class);
                    Thread.sleep(latencyMs); // the item's work, as simulate does it
                    producer.send(new ProducerRecord<>(results, job.batchId(), record.value())).get();
                    if (++done == records) {
                        break;
                    }
                }
                consumer.commitSync();
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

}
