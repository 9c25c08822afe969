package dev.fanout.worker;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.protocol.ControlSignal;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.FanoutHeaders;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.ItemResult;
import dev.fanout.protocol.JobRecord;
import dev.fanout.protocol.Lane;
import dev.fanout.protocol.Topics;
import dev.fanout.testkit.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import dev.fanout.config.TopicInitializer;
import java.util.HashMap;

/**
 * One worker group on isolated topics of the test broker, for the failure-path integration tests: starts workers
 * with extra test handlers, publishes jobs (with a batch's execution settings) and control signals, and reads what
 * the workers wrote.
 */
final class WorkerHarness implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofMinutes(2);

    final KafkaSettings settings;
    final Topics topics;
    final TopicRecords records;
    final String groupId = "g-" + UUID.randomUUID();
    private final List<Worker> workers = new ArrayList<>();

    WorkerHarness(String bootstrapServers, String name, int partitions) {
        this.settings = Jobs.isolated(bootstrapServers, name, partitions, partitions);
        this.topics = settings.topics();
        this.records = new TopicRecords(bootstrapServers);
        TopicInitializer.ensure(settings, topics.all()); // signals may go before a worker starts
    }

    /** Starts a worker of the group offering {@code echo} plus the given test handlers, each under its own name. */
    Worker start(InstantSource clock, int concurrency, Map<String, HandlerSpec> handlers,
            ItemHandlerProvider... testHandlers) {
        List<ItemHandlerProvider> providers = new ArrayList<>(HandlerCatalog.load().asMap().values());
        providers.addAll(List.of(testHandlers));
        Map<String, HandlerSpec> offered = new HashMap<>(handlers);
        offered.putIfAbsent("echo", HandlerSpec.of("echo"));
        for (ItemHandlerProvider provider : testHandlers) {
            offered.putIfAbsent(provider.name(), HandlerSpec.of(provider.name()));
        }
        Worker worker = Worker.start(WorkerConfig.of(settings).withGroupId(groupId).withMaxConcurrency(concurrency)
                        .withOrdering(OrderingMode.UNORDERED).withDrainTimeout(Duration.ofSeconds(10))
                        .withHandlers(offered, Map.of(), Map.of()),
                HandlerCatalog.of(providers), new MetricRegistry(), clock, null);
        workers.add(worker);
        return worker;
    }

    static JobRecord job(String batchId, long index, String handler, JsonNode payload, ItemExecution execution) {
        return job(batchId, index, handler, null, payload, execution);
    }

    static JobRecord job(String batchId, long index, String handler, JsonNode settings, JsonNode payload,
            ItemExecution execution) {
        return new JobRecord(Envelopes.SCHEMA_VERSION, batchId, Long.toString(index), index, null, handler, settings,
                payload, JobRecord.defaultTraceId(batchId, index), 1, Instant.now(), null, execution);
    }

    /** Publishes the job on the normal lane, on the given partition. */
    void send(JobRecord job, int partition) {
        records.send(Jobs.record(topics.jobs(Lane.NORMAL).name(), partition, "k" + job.index(), job));
    }

    void signal(String batchId, ControlSignal.Action action) {
        ControlSignal signal = new ControlSignal(Envelopes.SCHEMA_VERSION, batchId, action, "test", Instant.now());
        records.send(new ProducerRecord<>(topics.control().name(), 0, batchId, Envelopes.encode(signal)));
    }

    List<ItemResult> results(int atLeast) {
        return records.awaitAtLeast(topics.results().name(), atLeast, TIMEOUT).stream()
                .map(r -> Envelopes.decode(r.value(), ItemResult.class)).toList();
    }

    /** Every result published so far, without waiting. */
    List<ItemResult> resultsNow() {
        return records.readAll(topics.results().name()).stream()
                .map(r -> Envelopes.decode(r.value(), ItemResult.class)).toList();
    }

    List<ConsumerRecord<String, byte[]>> deadLetters(int atLeast) {
        return records.awaitAtLeast(topics.deadLetters().name(), atLeast, TIMEOUT);
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        return FanoutHeaders.text(record.headers(), name).orElse(null);
    }

    @Override
    public void close() {
        workers.forEach(Worker::close);
        records.close();
    }
}
