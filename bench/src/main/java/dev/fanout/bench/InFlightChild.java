package dev.fanout.bench;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.KafkaSettings;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.worker.Worker;
import dev.fanout.worker.WorkerConfig;
import dev.fanout.worker.WorkerMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.InstantSource;

/**
 * The worker of the in-flight check, run in a child JVM with a capped heap: one worker with a very large
 * {@code maxConcurrency}, until every item is done. Prints {@code peakInFlight=N heapUsedMb=M} (the peak of items
 * running at once and of the heap used, sampled every 100 ms). Arguments: bootstrap servers, topic prefix,
 * concurrency, items.
 */
final class InFlightChild {

    private InFlightChild() {
    }

    public static void main(String[] args) throws Exception {
        KafkaSettings kafka = KafkaSettings.of(args[0]).withTopicPrefix(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        long items = Long.parseLong(args[3]);
        WorkerConfig config = WorkerConfig.of(kafka).withWorkerId("inflight").withMaxConcurrency(concurrency);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long peakInFlight = 0;
        long peakHeap = 0;
        try (Worker worker = Worker.start(config, HandlerCatalog.load(), new MetricRegistry(), InstantSource.system(),
                null)) {
            WorkerMetrics metrics = worker.metrics();
            while (metrics.succeeded().getCount() + metrics.failed().getCount() < items) {
                long running = metrics.started().getCount() - metrics.succeeded().getCount()
                        - metrics.failed().getCount();
                peakInFlight = Math.max(peakInFlight, running);
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                Thread.sleep(100); // sampling period of the measurement
            }
        }
        System.out.printf("peakInFlight=%d heapUsedMb=%d%n", peakInFlight, peakHeap / (1024 * 1024));
    }
}
