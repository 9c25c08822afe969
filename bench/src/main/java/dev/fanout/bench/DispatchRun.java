package dev.fanout.bench;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.config.TopicInitializer;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchResult;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.InvalidItemPolicy;
import dev.fanout.dispatcher.JsonLinesItems;
import dev.fanout.dispatcher.Validation;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;

/**
 * The dispatcher side of the dispatch benchmark, run in a child JVM with a capped heap: what {@code fanout dispatch
 * batch.yaml --items FILE} does (a validation pass that counts the items, then the publishing pass with the total
 * known, registration and sealing included). Prints one line of figures.
 *
 * <p>Arguments: {@code BOOTSTRAP TOPIC_PREFIX PARTITIONS ITEMS_FILE BATCH_ID}.
 */
public final class DispatchRun {

    private DispatchRun() {
    }

    public static void main(String[] args) {
        KafkaSettings settings = KafkaSettings.of(args[0]).withTopicPrefix(args[1])
                .withPartitions(Integer.parseInt(args[2]), Integer.parseInt(args[2]));
        Path items = Path.of(args[3]);
        BatchSpec spec = BatchSpec.of("echo").withBatchId(args[4]);
        TopicInitializer.ensure(settings, settings.topics().all());
        try (Dispatcher dispatcher = new Dispatcher(settings, HandlerCatalog.of(List.of(new Echo())),
                new MetricRegistry(), InstantSource.system())) {
            long start = System.nanoTime();
            Validation validation = dispatcher.validate(spec, JsonLinesItems.file(items), InvalidItemPolicy.FAIL);
            long validated = System.nanoTime();
            DispatchResult result = dispatcher.publish(spec, JsonLinesItems.file(items, validation.items()));
            long sealed = System.nanoTime();
            System.out.printf(Locale.ROOT, "items=%d validateMs=%d publishMs=%d totalMs=%d peakHeapMb=%d maxHeapMb=%d%n",
                    result.total(), (validated - start) / 1_000_000, (sealed - validated) / 1_000_000,
                    (sealed - start) / 1_000_000, peakHeapBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    private static long peakHeapBytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    /** The dispatcher only checks handler names; the benchmark runs no worker. */
    private static final class Echo implements ItemHandlerProvider {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public ItemHandler create(JsonNode settings) {
            return item -> item.payload();
        }
    }
}
