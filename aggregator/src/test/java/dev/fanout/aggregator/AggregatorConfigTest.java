package dev.fanout.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class AggregatorConfigTest {

    private static final KafkaSettings KAFKA = KafkaSettings.of("localhost:9092");

    @Test
    void theDefaultsAreTheDocumentedConstants() {
        AggregatorConfig config = AggregatorConfig.of(KAFKA);

        assertThat(config.applicationId()).isEqualTo("fanout.aggregator");
        assertThat(config.stateDir()).isNull();
        assertThat(config.punctuationInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.streamThreads()).isEqualTo(1);
        assertThat(config.standbyReplicas()).isZero();
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(7070);
        assertThat(config.httpEnabled()).isTrue();
        assertThat(config.itemRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.retentionChunk()).isEqualTo(10_000);
    }

    @Test
    void theApplicationIdFollowsTheTopicPrefixSoDeploymentsNeverShareOne() {
        AggregatorConfig config = AggregatorConfig.of(KAFKA.withTopicPrefix("team-a."));

        assertThat(config.applicationId()).isEqualTo("team-a.aggregator");
    }

    @Test
    void absentValuesTakeTheDefaults() {
        AggregatorConfig config = new AggregatorConfig(KAFKA, null, null, null, null, 2);

        assertThat(config.applicationId()).isEqualTo("fanout.aggregator");
        assertThat(config.punctuationInterval()).isEqualTo(AggregatorConfig.DEFAULT_PUNCTUATION_INTERVAL);
        assertThat(config.commitInterval()).isEqualTo(AggregatorConfig.DEFAULT_COMMIT_INTERVAL);
    }

    @Test
    void invalidValuesAreRejectedWithAMessageNamingTheField() {
        AggregatorConfig config = AggregatorConfig.of(KAFKA);

        assertThatThrownBy(() -> config.withApplicationId("has space")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.applicationId may hold only").hasMessageContaining("'has space'");
        assertThatThrownBy(() -> config.withPunctuationInterval(Duration.ZERO)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.punctuationInterval must be at least 1ms, was PT0S");
        assertThatThrownBy(() -> config.withCommitInterval(Duration.ofMillis(-1))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.commitInterval must be >= 0");
        assertThatThrownBy(() -> config.withStreamThreads(0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.streamThreads must be >= 1, was 0");
        assertThatThrownBy(() -> config.withHttpPort(70_000)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.httpPort must be a port (0 for a free one, -1 for no results API),"
                        + " was 70000");
        assertThatThrownBy(() -> config.withHttp("bad host", 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.httpHost must be a host name or IP address, was 'bad host'");
        assertThatThrownBy(() -> config.withStandbyReplicas(-1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.standbyReplicas must be >= 0, was -1");
        assertThatThrownBy(() -> config.withItemRetention(Duration.ZERO, 10)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.itemRetention must be at least 1ms, was PT0S");
        assertThatThrownBy(() -> config.withItemRetention(Duration.ofHours(1), 0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("aggregator.retentionChunk must be >= 1, was 0");
        assertThat(config.withHttpPort(AggregatorConfig.HTTP_DISABLED).httpEnabled()).isFalse();
        assertThatThrownBy(() -> new AggregatorConfig(null, null, null, null, null, 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("kafka");
    }

    @Test
    void theStreamsPropertiesAskForExactlyOnceAndCarryTheSettings() {
        AggregatorConfig config = AggregatorConfig.of(KAFKA.withTopicPrefix("x."))
                .withApplicationId("agg-1").withCommitInterval(Duration.ofMillis(250)).withStreamThreads(2);

        Properties properties = Aggregator.streamsProperties(config, Path.of("/tmp/agg"));

        assertThat(properties)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "agg-1")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 250L)
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2)
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1) // the cluster's default
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/tmp/agg").toAbsolutePath().toString())
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueExceptionHandler.class)
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0)
                .doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG)
                .doesNotContainKey(StreamsConfig.topicPrefix("min.insync.replicas"));
        KafkaSettings replicated = config.kafka().withReplication((short) 3, 2);
        assertThat(Aggregator.streamsProperties(new AggregatorConfig(replicated, "agg-1", null, null, null, 1), Path.of("/tmp/agg")))
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
                .containsEntry(StreamsConfig.topicPrefix("min.insync.replicas"), 2);
    }

    @Test
    void theResultsApiIsAdvertisedAsTheApplicationServerAndStandbysAreAskedFor() {
        AggregatorConfig config = AggregatorConfig.of(KAFKA).withStandbyReplicas(1);

        Properties properties = Aggregator.streamsProperties(config, Path.of("/tmp/agg"),
                new org.apache.kafka.streams.state.HostInfo("127.0.0.1", 7071));

        assertThat(properties)
                .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:7071")
                .containsEntry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    }

    @Test
    void theCommandLinesStateDirectoryIsUnderFanoutHomeWhenItIsSetElseUnderTheWorkingDirectory() {
        Path work = Path.of("/srv/work");

        assertThat(AggregatorConfig.defaultStateDir(Map.of("FANOUT_HOME", "/var/lib/fanout"), work))
                .isEqualTo(Path.of("/var/lib/fanout/state"));
        assertThat(AggregatorConfig.defaultStateDir(Map.of("FANOUT_HOME", "home"), work))
                .as("a relative FANOUT_HOME is taken from the working directory")
                .isEqualTo(Path.of("/srv/work/home/state"));
        assertThat(AggregatorConfig.defaultStateDir(Map.of(), work)).isEqualTo(Path.of("/srv/work/.fanout/state"));
        assertThat(AggregatorConfig.defaultStateDir(Map.of("FANOUT_HOME", " "), work))
                .isEqualTo(Path.of("/srv/work/.fanout/state"));
    }
}
