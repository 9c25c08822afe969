package dev.fanout.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The peer of {@code scripts/bench.sh system}, one instance in its own JVM: Confluent's Parallel Consumer with KEY
 * ordering and {@code maxConcurrency} as given. For each job record it sleeps the simulated latency, then
 * {@code pollAndProduce} publishes one result record (the job's key and value) and waits for its acknowledgement
 * before the offset may be committed, as a Fanout worker does. It prints {@code partitions N} whenever its
 * assignment changes, and runs until SIGTERM, which closes it (draining the records in flight).
 *
 * <p>Arguments: bootstrap servers, jobs topic, results topic, consumer group, maxConcurrency, latency in ms.
 */
final class ParallelConsumerChild {

    private ParallelConsumerChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        String servers = args[0];
        String jobs = args[1];
        String results = args[2];
        String group = args[3];
        int concurrency = Integer.parseInt(args[4]);
        long latencyMs = Long.parseLong(args[5]);

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
        ParallelConsumerOptions<byte[], byte[]> options = ParallelConsumerOptions.<byte[], byte[]>builder()
                .consumer(consumer)
                .producer(producer)
                .ordering(ProcessingOrder.KEY)
                .maxConcurrency(concurrency)
                // its check that auto commit is off reads a field the Kafka 4 consumer no longer has
                .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
                .build();
        ParallelStreamProcessor<byte[], byte[]> processor = ParallelStreamProcessor.createEosStreamProcessor(options);

        Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
        processor.subscribe(List.of(jobs), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                owned.removeAll(partitions);
                System.out.println("partitions " + owned.size());
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                owned.addAll(partitions);
                System.out.println("partitions " + owned.size());
            }
        });
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            processor.closeDrainFirst();
            closed.countDown();
        }, "peer-shutdown"));
        processor.pollAndProduce(context -> {
            if (latencyMs > 0) {
                try {
                    Thread.sleep(latencyMs); // the item's simulated work, as Fanout's simulate handler does it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return new ProducerRecord<>(results, context.key(), context.value());
        });
        System.out.println("running");
        closed.await();
    }
}
