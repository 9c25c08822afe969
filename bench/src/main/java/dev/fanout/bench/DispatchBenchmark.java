package dev.fanout.bench;

import dev.fanout.broker.BrokerConfig;
import dev.fanout.broker.EmbeddedKafkaBroker;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.TopicDescriptor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code scripts/bench.sh dispatch}: dispatching N small items from a JSON Lines file against Kafka's own
 * {@code ProducerPerformance} with records of the same size (key + value + headers of the dispatcher's records), the
 * same producer settings ({@code acks=all}, idempotence, {@code linger.ms=10}, 128 KiB batches, lz4) and the same
 * partition count, on one embedded broker in one run. Both run in child JVMs with the same heap cap, so the
 * dispatcher's memory bound is proven, not assumed.
 *
 * <p>Options: {@code --items N} (default 1,000,000), {@code --heap 256m}, {@code --rounds R} (default 3: each tool
 * runs R times, alternating, and the best run of each counts), {@code --partitions P} (default 8).
 */
final class DispatchBenchmark {

    private static final Pattern PP_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency");
    private static final Pattern FIGURE = Pattern.compile("(\\w+)=(\\d+)");

    private DispatchBenchmark() {
    }

    static int run(List<String> args) throws IOException {
        Map<String, String> options = options(args);
        long items = Long.parseLong(options.getOrDefault("--items", "1000000"));
        String heap = options.getOrDefault("--heap", "256m");
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
        int partitions = Integer.parseInt(options.getOrDefault("--partitions", "8"));
        Path dir = Files.createTempDirectory("fanout-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withMaxHeap("1g"))) {
            System.out.printf(Locale.ROOT, "broker: embedded Kafka %s at %s%n", EmbeddedKafkaBroker.kafkaVersion(),
                    broker.bootstrapServers());
            Path file = writeItems(dir.resolve("items.jsonl"), items);
            System.out.printf(Locale.ROOT, "items: %,d in %s (%,d bytes)%n", items, file, Files.size(file));
            String servers = broker.bootstrapServers();
            producerPerformance(servers, "warm-up", Math.min(items, 200_000), 200, partitions, heap);
            List<Map<String, Long>> dispatches = new ArrayList<>();
            List<double[]> baselines = new ArrayList<>();
            long recordSize = 0;
            for (int round = 1; round <= rounds; round++) {
                String prefix = "bench-" + round + ".";
                Map<String, Long> dispatch = dispatch(servers, prefix, partitions, file, heap);
                dispatches.add(dispatch);
                recordSize = recordSize(KafkaSettings.of(servers).withTopicPrefix(prefix));
                double[] baseline = producerPerformance(servers, "pp-" + round, items, recordSize, partitions, heap);
                baselines.add(baseline);
                System.out.printf(Locale.ROOT, "round %d: dispatcher %,.0f items/s (validate %,d ms + publish %,d ms,"
                                + " peak heap %d MB of %d MB); ProducerPerformance %,.0f records/s of %d bytes%n",
                        round, rate(dispatch), dispatch.get("validateMs"), dispatch.get("publishMs"),
                        dispatch.get("peakHeapMb"), dispatch.get("maxHeapMb"), baseline[0], recordSize);
            }
            report(items, heap, partitions, recordSize, dispatches, baselines);
            return 0;
        } finally {
            BenchOptions.deleteTree(dir);
        }
    }

    private static Map<String, Long> dispatch(String servers, String prefix, int partitions, Path file, String heap) {
        List<String> out = ChildJvm.run(heap, DispatchRun.class.getName(), List.of(servers, prefix,
                Integer.toString(partitions), file.toString(), "bench"));
        Map<String, Long> figures = new HashMap<>();
        Matcher m = FIGURE.matcher(out.get(out.size() - 1));
        while (m.find()) {
            figures.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return figures;
    }

    /** Runs ProducerPerformance; returns records/s, MB/s and the average latency in ms. */
    static double[] producerPerformance(String servers, String topic, long records, long recordSize,
            int partitions, String heap) {
        TopicInitializer.ensure(KafkaSettings.of(servers), List.of(
                new TopicDescriptor<>(topic, byte[].class, partitions, Map.of())));
        List<String> out = ChildJvm.run(heap, "org.apache.kafka.tools.ProducerPerformance", List.of(
                "--topic", topic, "--num-records", Long.toString(records), "--record-size", Long.toString(recordSize),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + servers, "acks=all",
                "enable.idempotence=true", "linger.ms=10", "batch.size=131072", "compression.type=lz4"));
        for (int i = out.size() - 1; i >= 0; i--) {
            Matcher m = PP_SUMMARY.matcher(out.get(i));
            if (m.find()) {
                return new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4))};
            }
        }
        throw new IllegalStateException("no summary line from ProducerPerformance:\n" + String.join("\n", out));
    }

    /** The average size on the wire of the dispatcher's job records: key, value and headers, from a sample. */
    static long recordSize(KafkaSettings settings) {
        String topic = settings.topics().jobs(Lane.NORMAL).name();
        Map<String, Object> props = settings.clientProperties();
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long bytes = 0;
            int count = 0;
            while (count == 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    bytes += record.serializedKeySize() + record.serializedValueSize();
                    for (Header header : record.headers()) {
                        bytes += header.key().length() + header.value().length;
                    }
                    count++;
                }
            }
            return Math.round((double) bytes / count);
        }
    }

    private static void report(long items, String heap, int partitions, long recordSize,
            List<Map<String, Long>> dispatches, List<double[]> baselines) {
        Map<String, Long> best = dispatches.stream().max(Comparator.comparingDouble(DispatchBenchmark::rate))
                .orElseThrow();
        double[] baseline = baselines.stream().max(Comparator.comparingDouble(b -> b[0])).orElseThrow();
        double publishOnly = items * 1000.0 / Math.max(1, best.get("publishMs"));
        System.out.println();
        System.out.printf(Locale.ROOT, "dispatch benchmark: %,d items, %d partitions, child JVMs -Xmx%s, best of %d%n",
                items, partitions, heap, dispatches.size());
        System.out.printf(Locale.ROOT, "  ProducerPerformance  %,10.0f records/s  (%d-byte records, %.1f MB/s, avg"
                + " latency %.0f ms)%n", baseline[0], recordSize, baseline[1], baseline[2]);
        System.out.printf(Locale.ROOT, "  fanout dispatch      %,10.0f items/s    (%,d ms: validate %,d + publish %,d),"
                + " %.0f%% of ProducerPerformance%n", rate(best), best.get("totalMs"), best.get("validateMs"),
                best.get("publishMs"), 100 * rate(best) / baseline[0]);
        System.out.printf(Locale.ROOT, "  publishing pass only %,10.0f items/s    %.0f%% of ProducerPerformance%n",
                publishOnly, 100 * publishOnly / baseline[0]);
        System.out.printf(Locale.ROOT, "  dispatcher heap      peak %d MB used of %d MB max%n", best.get("peakHeapMb"),
                best.get("maxHeapMb"));
    }

    private static double rate(Map<String, Long> dispatch) {
        return dispatch.get("items") * 1000.0 / Math.max(1, dispatch.get("totalMs"));
    }

    /** Small items as a user would write them: {@code {"customer":"c-0042","amount":17,"n":123}}. */
    private static Path writeItems(Path file, long items) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long n = 0; n < items; n++) {
                out.write(String.format(Locale.ROOT, "{\"customer\":\"c-%04d\",\"amount\":%d,\"n\":%d}%n", n % 1000,
                        n % 97, n));
            }
        }
        return file;
    }

    private static Map<String, String> options(List<String> args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            if (!args.get(i).startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException("options are --name value pairs (--items, --heap, --rounds,"
                        + " --partitions), was '" + args.get(i) + "'");
            }
            options.put(args.get(i), args.get(i + 1));
        }
        return options;
    }

}
