package dev.fanout.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test handler type, {@code record}, that notes when each item ran and how many ran at once; it sleeps the
 * payload's {@code sleepMs} to stand for work. Shared by the worker integration tests.
 */
class Recording implements ItemHandlerProvider {

    /** One execution: the item's key, index and partition, and when it started and ended (nanoTime). */
    record Run(String key, long index, long startNanos, long endNanos) {
    }

    final List<Run> runs = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
    final Map<String, Integer> maxRunningPerKey = new ConcurrentHashMap<>();
    /** Whether items sleep their payload's {@code sleepMs}. */
    boolean sleeps = true;

    static HandlerCatalog catalogWith(Recording recording) {
        return HandlerCatalog.of(List.of(recording));
    }

    @Override
    public String name() {
        return "record";
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        return item -> {
            String key = item.context().key();
            long start = System.nanoTime();
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            int forKey = runningPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            maxRunningPerKey.merge(key, forKey, Math::max);
            try {
                if (sleeps) {
                    Thread.sleep(item.payload().path("sleepMs").asLong(0)); // the simulated work
                }
            } finally {
                runningPerKey.get(key).decrementAndGet();
                running.decrementAndGet();
            }
            runs.add(new Run(key, item.context().index(), start, System.nanoTime()));
            return null;
        };
    }
}
