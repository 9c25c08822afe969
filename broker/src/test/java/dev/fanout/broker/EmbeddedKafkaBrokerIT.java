package dev.fanout.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerIT {

    @Test
    void aStartedBrokerStoresAndServesRecordsAndLeavesNothingBehindWhenClosed() throws Exception {
        Path dir;
        long pid;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults())) {
            pid = broker.pid();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("smoke", 3, (short) 1))).all().get();
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("smoke", "k", "hello")).get();
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "smoke",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("smoke"));
                String value = null;
                for (int i = 0; i < 60 && value == null; i++) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    value = records.isEmpty() ? null : records.iterator().next().value();
                }
                assertThat(value).isEqualTo("hello");
            }
            dir = broker.dataDirectory();
            assertThat(dir).exists();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        assertThat(process.map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
        assertThat(dir).doesNotExist();
    }

    @Test
    void aBrokerThatCannotBindItsPortFailsWithItsLogInTheMessage() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults())) {
            int taken = Integer.parseInt(first.bootstrapServers().substring(first.bootstrapServers().indexOf(':') + 1));
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(BrokerConfig.ofDefaults().withPort(taken)))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("127.0.0.1:" + taken)
                    .hasMessageContaining("Last lines of");
        }
    }
}
