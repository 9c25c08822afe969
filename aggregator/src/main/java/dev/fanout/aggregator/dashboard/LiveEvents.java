package dev.fanout.aggregator.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's Server-Sent Events: one thread takes a snapshot every interval while anyone listens (the batch
 * list, each watched batch, and every few intervals the workers) and hands each listener the events whose data
 * changed since it last heard. A listener's own request thread writes them; a listener that goes away is dropped at
 * its next write, and one that hears nothing new gets a comment line every {@value #KEEPALIVE_TICKS} intervals, so a
 * closed connection is noticed.
 */
final class LiveEvents implements AutoCloseable {

    static final String BATCHES = "batches";
    static final String BATCH = "batch";
    static final String WORKERS = "workers";
    static final int KEEPALIVE_TICKS = 10;
    static final int WORKER_TICKS = 3;
    private static final String STOP = "";
    private static final int MAX_BACKLOG = 100;
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

    private final Function<String, Optional<String>> api;
    private final Supplier<Optional<String>> workers;
    private final int maxListeners;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private long ticks;
    private volatile String lastWorkers;

    /**
     * @param api          answers a results API path ({@code /batches?limit=...}) with its JSON, empty when it cannot
     * @param workers      the worker registry as JSON, empty when it cannot be read
     * @param interval     how often a snapshot is taken
     * @param maxListeners how many may listen at once; more are refused
     */
    LiveEvents(Function<String, Optional<String>> api, Supplier<Optional<String>> workers, Duration interval,
            int maxListeners) {
        this.api = Objects.requireNonNull(api, "api");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.maxListeners = maxListeners;
        this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "fanout-dashboard-events");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Streams events to one listener until it goes away or the server stops. Blocks the calling (request) thread.
     *
     * @param batchId the batch whose view it also wants, or {@code null}
     */
    void serve(HttpExchange exchange, String batchId) throws IOException {
        if (listeners.size() >= maxListeners) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        Listener listener = new Listener(batchId);
        listeners.add(listener);
        ticker.execute(this::tick); // its first events at once
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String event = listener.queue.take();
                if (event == STOP) {
                    return;
                }
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            listeners.remove(listener);
        }
    }

    /** Listeners now. */
    int listeners() {
        return listeners.size();
    }

    private synchronized void tick() {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            Map<String, String> now = new HashMap<>();
            api.apply("/batches?limit=1000").ifPresent(json -> now.put(BATCHES, json));
            if (ticks++ % WORKER_TICKS == 0 || lastWorkers == null) {
                workers.get().ifPresent(json -> lastWorkers = json);
            }
            if (lastWorkers != null) {
                now.put(WORKERS, lastWorkers);
            }
            Map<String, Optional<String>> views = new HashMap<>();
            for (Listener listener : listeners) {
                Map<String, String> events = new LinkedHashMap<>(now);
                if (listener.batchId != null) {
                    views.computeIfAbsent(listener.batchId, id -> api.apply("/batches/" + encode(id)))
                            .ifPresent(json -> events.put(BATCH, json));
                }
                listener.offer(events);
            }
        } catch (RuntimeException e) {
            log.warn("dashboard events: could not take a snapshot: {}", e.toString());
        }
    }

    private static String encode(String batchId) {
        return java.net.URLEncoder.encode(batchId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Stops the ticker and ends every stream. */
    @Override
    public void close() {
        ticker.shutdownNow();
        for (Listener listener : listeners) {
            listener.queue.offer(STOP);
        }
    }

    /** One open stream: what it last heard of each event, and what it has yet to write. */
    private static final class Listener {
        private final String batchId;
        private final Map<String, String> heard = new HashMap<>();
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private int quiet;

        Listener(String batchId) {
            this.batchId = batchId;
        }

        void offer(Map<String, String> events) {
            if (queue.size() > MAX_BACKLOG) { // not reading: end its stream, the browser reconnects
                queue.clear();
                queue.offer(STOP);
                return;
            }
            boolean sent = false;
            for (Map.Entry<String, String> event : events.entrySet()) {
                if (!event.getValue().equals(heard.put(event.getKey(), event.getValue()))) {
                    queue.offer("event: " + event.getKey() + "\ndata: " + event.getValue() + "\n\n");
                    sent = true;
                }
            }
            if (sent) {
                quiet = 0;
            } else if (++quiet >= KEEPALIVE_TICKS) {
                quiet = 0;
                queue.offer(": keepalive\n\n");
            }
        }
    }
}
