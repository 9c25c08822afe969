package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fanout.protocol.TopicDescriptor;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.KafkaExtension;
import dev.fanout.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicInitializerIT {

    @Test
    void missingTopicsAreCreatedWithTheirPartitionsAndConfigs(TestKafka kafka) throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix())
                .withPartitions(3, 2);
        Topics topics = settings.topics();

        assertThat(TopicInitializer.ensure(settings, topics.all())).isEmpty();

        try (Admin admin = Admin.create(settings.clientProperties())) {
            // a new topic's metadata reaches every listener a moment after creation is acknowledged
            Map<String, TopicDescription> described = await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> admin.describeTopics(topics.all().stream().map(TopicDescriptor::name).toList())
                            .allTopicNames().get(), all -> all.size() == topics.all().size());
            assertThat(described.get(topics.results().name()).partitions()).hasSize(2);
            assertThat(described.get(topics.control().name()).partitions()).hasSize(1);
            var config = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topics.control().name())))
                    .all().get().values().iterator().next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
        assertThat(TopicInitializer.ensure(settings, topics.all())).as("a second run changes nothing").isEmpty();
    }

    @Test
    void anExistingTopicWithFewerPartitionsIsKeptWithAWarningNamingBothNumbers(TestKafka kafka) throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers()).withTopicPrefix(prefix())
                .withPartitions(6, 2);
        String jobs = settings.topics().jobs(dev.fanout.protocol.Lane.NORMAL).name();
        try (Admin admin = Admin.create(settings.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(jobs, 2, (short) 1))).all().get();
        }

        List<String> warnings = TopicInitializer.ensure(settings, settings.topics().all());

        assertThat(warnings).singleElement().asString()
                .contains("topic " + jobs + " exists with 2 partitions, fewer than the 6 configured");
    }

    @Test
    void anUnreachableClusterIsReportedWithTheFix() {
        KafkaSettings settings = new KafkaSettings("127.0.0.1:1", null, 1, 1, (short) 1,
                Map.of("default.api.timeout.ms", "1500", "request.timeout.ms", "500"));
        assertThatThrownBy(() -> TopicInitializer.ensure(settings, settings.topics().all()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot reach Kafka at 127.0.0.1:1")
                .hasMessageContaining("check --bootstrap-servers");
    }

    private static String prefix() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }
}
