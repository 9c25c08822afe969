package dev.fanout.bench;

import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.protocol.TopicDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The peer, for one scenario: as many Parallel Consumer instances as Fanout has workers, each in its own JVM
 * ({@link ParallelConsumerChild}) with the same concurrency, on topics of their own with the same partition count.
 * Like Fanout's services they start once and stay up for every round. In a round, the round's job records (the very
 * records Fanout's dispatcher published: same partition, key, value and headers) are copied into their jobs topic
 * with the dispatcher's producer settings, and the round ends when every record has its result. Its CPU is measured
 * from the copy to the last result.
 */
final class ParallelConsumerPeer {

    private static final Pattern PARTITIONS = Pattern.compile("^partitions (\\d+)$", Pattern.MULTILINE);

    /**
     * @param timeline   first job copied to last result
     * @param cpuSeconds CPU of each instance, by name, during the round
     * @param heap       the GC figures of each instance during the round, by name (absent: no collection)
     */
    record Outcome(StageTimeline timeline, Map<String, Double> cpuSeconds, Map<String, GcLog> heap) {
    }

    private final ChildProcesses processes;
    private final KafkaSettings kafka;
    private final String jobTopic;
    private final String resultTopic;
    private final List<ChildProcesses.Child> children;
    private final long latencyMs;

    private ParallelConsumerPeer(ChildProcesses processes, KafkaSettings kafka, String jobTopic, String resultTopic,
            List<ChildProcesses.Child> children, long latencyMs) {
        this.processes = processes;
        this.kafka = kafka;
        this.jobTopic = jobTopic;
        this.resultTopic = resultTopic;
        this.children = children;
        this.latencyMs = latencyMs;
    }

    /** Creates the peer's topics, starts its instances and waits until they own every partition. */
    static ParallelConsumerPeer start(ChildProcesses processes, KafkaSettings kafka, String name, int instances,
            int concurrency, long latencyMs) throws InterruptedException {
        int partitions = kafka.jobPartitions();
        String jobTopic = kafka.topicPrefix() + "peer-jobs";
        String resultTopic = kafka.topicPrefix() + "peer-results";
        TopicInitializer.ensure(kafka, List.of(new TopicDescriptor<>(jobTopic, byte[].class, partitions, Map.of()),
                new TopicDescriptor<>(resultTopic, byte[].class, partitions, Map.of())));
        String group = kafka.topicPrefix() + "peer-" + UUID.randomUUID().toString().substring(0, 6);
        List<ChildProcesses.Child> children = new ArrayList<>();
        ParallelConsumerPeer peer = new ParallelConsumerPeer(processes, kafka, jobTopic, resultTopic, children,
                latencyMs);
        for (int i = 1; i <= instances; i++) {
            children.add(processes.java(name + "-peer-" + i, "1g", ParallelConsumerChild.class.getName(),
                    List.of(kafka.bootstrapServers(), jobTopic, resultTopic, group, Integer.toString(concurrency),
                            Long.toString(latencyMs))));
        }
        try {
            awaitAssigned(children, partitions);
        } catch (RuntimeException | InterruptedException e) {
            peer.stop();
            throw e;
        }
        return peer;
    }

    /** Runs one round over the records of {@code source} that {@code ofRound} accepts ({@code items} of them). */
    Outcome round(TopicSlice source, Predicate<ConsumerRecord<byte[], byte[]>> ofRound, long items)
            throws InterruptedException {
        TopicSlice jobSlice = TopicSlice.mark(kafka, jobTopic);
        TopicSlice resultSlice = TopicSlice.mark(kafka, resultTopic);
        Map<String, Double> cpuBefore = cpu();
        long startMs = System.currentTimeMillis();
        long copied = copy(kafka, jobTopic, source, ofRound);
        if (copied != items) {
            throw new IllegalStateException("the round has " + copied + " job records, expected " + items);
        }
        awaitResults(resultSlice, items, Duration.ofSeconds(120 + items * Math.max(1, latencyMs) / 1000));
        long endMs = System.currentTimeMillis();
        Map<String, Double> cpu = cpu();
        cpu.replaceAll((name, after) -> after - cpuBefore.get(name));
        return new Outcome(StageTimeline.peer(jobSlice, resultSlice), cpu, heap(startMs, endMs));
    }

    /** The GC figures of each instance between two moments (epoch ms), by name; absent: no collection. */
    Map<String, GcLog> heap(long fromMs, long toMs) {
        Map<String, GcLog> heap = new LinkedHashMap<>();
        for (ChildProcesses.Child child : children) {
            GcLog.read(GcLog.file(processes.dir(), child.handle().pid()), fromMs, toMs)
                    .ifPresent(log -> heap.put(child.name(), log));
        }
        return heap;
    }

    /** The instances, by name. */
    Map<String, ChildProcesses.Child> instances() {
        Map<String, ChildProcesses.Child> instances = new LinkedHashMap<>();
        children.forEach(child -> instances.put(child.name(), child));
        return instances;
    }

    /** Stops the instances: SIGTERM closes each, draining what it has in flight. */
    void stop() {
        children.forEach(child -> child.stop(Duration.ofSeconds(30)));
    }

    /** Waits until the instances' latest assignments add up to every partition and stay so for 2 s. */
    private static void awaitAssigned(List<ChildProcesses.Child> children, int partitions)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long stableSince = 0;
        while (true) {
            int owned = 0;
            for (ChildProcesses.Child child : children) {
                if (!child.isAlive()) {
                    throw new IllegalStateException(child.name() + " exited:\n" + child.output());
                }
                Matcher m = PARTITIONS.matcher(child.output());
                int latest = -1;
                while (m.find()) {
                    latest = Integer.parseInt(m.group(1));
                }
                owned += Math.max(0, latest);
            }
            if (owned == partitions) {
                stableSince = stableSince == 0 ? System.nanoTime() : stableSince;
                if (System.nanoTime() - stableSince > Duration.ofSeconds(2).toNanos()) {
                    return;
                }
            } else {
                stableSince = 0;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the peer's instances own " + owned + " of " + partitions
                        + " partitions after 2 minutes");
            }
            Thread.sleep(100); // polling the instances' logs
        }
    }

    /**
     * Publishes the round's job records again, each to the partition it had, with the dispatcher's producer settings,
     * as they are read; returns how many.
     */
    private static long copy(KafkaSettings kafka, String topic, TopicSlice source,
            Predicate<ConsumerRecord<byte[], byte[]>> ofRound) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            long[] copied = {0};
            source.read(job -> {
                if (ofRound.test(job)) {
                    producer.send(new ProducerRecord<>(topic, job.partition(), null, job.key(), job.value(),
                            job.headers()));
                    copied[0]++;
                }
            });
            producer.flush();
            return copied[0];
        }
    }

    private void awaitResults(TopicSlice results, long expected, Duration timeout) throws InterruptedException {
        results.awaitAdded(expected, timeout, () -> {
            for (ChildProcesses.Child child : children) {
                if (!child.isAlive()) {
                    throw new IllegalStateException(child.name() + " exited:\n" + child.output());
                }
            }
        });
    }

    private Map<String, Double> cpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        children.forEach(child -> cpu.put(child.name(), ProcCpu.tree(child.handle())));
        return cpu;
    }
}
