package dev.fanout.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What watching a deployment costs it ({@code --watch on}): a Prometheus that scrapes every service's
 * {@code /metrics} each second (15 s is Prometheus's default), and a user with the dashboard's batch page open on the
 * running batch: its event stream, and its timeline fetched as the page does while a batch runs (every 3 s, each
 * fetch with the cursor of the one before, so the aggregator sends only the bars added since).
 */
final class Watcher implements AutoCloseable {

    static final Duration SCRAPE = Duration.ofSeconds(1);
    static final Duration TIMELINE = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, task -> {
        Thread thread = new Thread(task, "bench-watcher");
        thread.setDaemon(true);
        return thread;
    });
    private final List<URI> metrics;
    private final URI api;
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong scrapedBytes = new AtomicLong();
    private final AtomicLong timelines = new AtomicLong();
    private final AtomicLong eventBytes = new AtomicLong();
    private final AtomicLong timelineBytes = new AtomicLong();
    private static final Pattern FINISHED = Pattern.compile("\"finished\":(\\d+)");
    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([0-9.-]+)\"");
    private volatile String batchId;
    private String timelineOf;
    private String cursor;
    private long lastTimeline;
    private long lastFinished = -1;
    private volatile Thread events;

    /**
     * @param endpoints every service's base URL (its {@code /metrics} is scraped)
     * @param api       the aggregator's base URL (dashboard and results API)
     */
    Watcher(List<URI> endpoints, URI api) {
        this.metrics = endpoints.stream().map(base -> base.resolve("/metrics")).toList();
        this.api = api;
        ticker.scheduleAtFixedRate(this::scrape, 0, SCRAPE.toMillis(), TimeUnit.MILLISECONDS);
        ticker.scheduleAtFixedRate(this::timeline, 1, 1, TimeUnit.SECONDS);
    }

    /** Opens the dashboard's page of this batch (its event stream), closing the previous one. */
    void watch(String batch) {
        batchId = batch;
        Thread previous = events;
        if (previous != null) {
            previous.interrupt();
        }
        URI stream = api.resolve("/ui/events?batch=" + URLEncoder.encode(batch, StandardCharsets.UTF_8));
        events = Thread.ofVirtual().name("bench-watcher-events").start(() -> {
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(stream).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    byte[] buffer = new byte[8192];
                    int read;
                    while (!Thread.currentThread().isInterrupted() && (read = in.read(buffer)) >= 0) {
                        eventBytes.addAndGet(read);
                    }
                }
            } catch (IOException e) {
                // the aggregator went away or the stream was closed: the next watch opens another
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void scrape() {
        for (URI uri : metrics) {
            try {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(SCRAPE).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                scrapes.incrementAndGet();
                scrapedBytes.addAndGet(response.body().length);
            } catch (IOException e) {
                // a missed scrape, as Prometheus would record it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void timeline() {
        String batch = batchId;
        if (batch == null) {
            return;
        }
        try {
            String base = "/batches/" + URLEncoder.encode(batch, StandardCharsets.UTF_8);
            String view = http.send(HttpRequest.newBuilder(api.resolve(base)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher finished = FINISHED.matcher(view);
            long count = finished.find() ? Long.parseLong(finished.group(1)) : 0;
            long now = System.currentTimeMillis();
            if (!batch.equals(timelineOf)) {
                timelineOf = batch;
                cursor = null;
                lastFinished = -1;
            }
            // as the page does: every 3 s while the count moves, with the previous answer's cursor
            if (count == lastFinished || now - lastTimeline < TIMELINE.toMillis()) {
                return;
            }
            lastTimeline = now;
            lastFinished = count;
            String since = cursor == null ? "" : "?since=" + cursor;
            String timeline = http.send(HttpRequest.newBuilder(api.resolve(base + "/timeline" + since)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher next = CURSOR.matcher(timeline);
            cursor = next.find() ? next.group(1) : null;
            timelines.incrementAndGet();
            timelineBytes.addAndGet(timeline.length());
        } catch (IOException e) {
            // the batch may not exist yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What it did: scrapes, bytes, timeline fetches and bytes, event-stream bytes. */
    String summary() {
        return String.format(java.util.Locale.ROOT, "watched: %d scrapes of %d endpoints (%.1f MB), %d timeline"
                + " fetches (%.1f MB), %.1f KB of dashboard events", scrapes.get(), metrics.size(),
                scrapedBytes.get() / 1e6, timelines.get(), timelineBytes.get() / 1e6, eventBytes.get() / 1e3);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        Thread stream = events;
        if (stream != null) {
            stream.interrupt();
        }
        http.close();
    }
}
