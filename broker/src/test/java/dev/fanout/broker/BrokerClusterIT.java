package dev.fanout.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Three KRaft nodes on loopback, each its own JVM: replication 3 by default, and a killed node comes back. */
class BrokerClusterIT {

    @Test
    void threeNodesReplicateEveryTopicAndKeepAcceptingWritesWhileOneIsKilledOrBouncedAndRestarted() throws Exception {
        Path dir;
        List<Long> pids;
        try (EmbeddedKafkaBroker cluster = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withNodes(3)
                .withMaxHeap("384m"))) {
            pids = cluster.pids();
            dir = cluster.dataDirectory();
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            Map<String, Object> client = Map.of("bootstrap.servers", cluster.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
                admin.createTopics(List.of(new NewTopic("replicated", java.util.Optional.of(3),
                        java.util.Optional.empty()))).all().get();
                TopicDescription topic = admin.describeTopics(Set.of("replicated")).allTopicNames().get()
                        .get("replicated");
                assertThat(topic.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "replicated");
                assertThat(admin.describeConfigs(Set.of(resource)).all().get().get(resource)
                        .get("min.insync.replicas").value()).isEqualTo("2");
            }
            Map<String, Object> producerConfig = Map.of("bootstrap.servers", cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "before-" + i)).get();
                }
                cluster.killNode(2);
                assertThat(cluster.isRunning(2)).isFalse();
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "during-" + i)).get();
                }
                cluster.restartNode(2);
                assertThat(cluster.isRunning()).isTrue();
                assertThat(cluster.pids().get(1)).isNotEqualTo(pids.get(1));
                cluster.stopNode(3); // a clean bounce (SIGTERM) keeps the node's data for its restart
                assertThat(dir.resolve("node-3/data/meta.properties")).exists();
                cluster.restartNode(3);
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "after-" + i)).get();
                }
            }
            assertThat(readAll(cluster.bootstrapServers())).hasSize(90);
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
        assertThat(dir).doesNotExist();
    }

    private static List<String> readAll(String servers) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition("replicated", 0),
                    new TopicPartition("replicated", 1), new TopicPartition("replicated", 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
            }
            return values;
        }
    }
}
