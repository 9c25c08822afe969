package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.protocol.Lane;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class LaneLagIT {

    @Test
    void lagIsEndOffsetsMinusTheGroupsCommitsAndUncommittedPartitionsCountFromTheirFirstRecord(TestKafka kafka)
            throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers())
                .withTopicPrefix("lag-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        String normal = settings.topics().jobs(Lane.NORMAL).name();
        String group = settings.topicPrefix() + "workers";
        try (Admin admin = Admin.create(settings.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(normal, 3, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings.clientProperties(),
                    new StringSerializer(), new StringSerializer())) {
                for (int partition = 0; partition < 3; partition++) {
                    for (int i = 0; i < 10; i++) {
                        producer.send(new ProducerRecord<>(normal, partition, "k" + i, "v")).get();
                    }
                }
            }
            // the group finished 4 records of partition 0 and all of partition 1; partition 2 it never committed
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(normal, 0), new OffsetAndMetadata(4),
                    new TopicPartition(normal, 1), new OffsetAndMetadata(10))).all().get();
        }
        Map<Lane, LaneLag.LaneGroup> lanes = new LinkedHashMap<>();
        lanes.put(Lane.NORMAL, new LaneLag.LaneGroup(group, false));
        lanes.put(Lane.HIGH, new LaneLag.LaneGroup(group, false));

        List<LaneLag.Reading> readings = LaneLag.read(settings, lanes);

        assertThat(readings).extracting(LaneLag.Reading::lane).containsExactly(Lane.NORMAL, Lane.HIGH);
        assertThat(readings.get(0).partitions()).isEqualTo(3);
        assertThat(readings.get(0).lag()).as("6 on partition 0, 0 on 1, 10 on 2").isEqualTo(16);
        assertThat(readings.get(1).partitions()).as("the high lane's topic does not exist").isZero();
        assertThat(readings.get(1).lag()).isZero();
    }
}
