package dev.fanout.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks the aggregator's results API ({@code GET /batches/{id}}) every 200 ms how many of a batch's items it has
 * counted, from a virtual thread, and remembers when it first counted them all. With the records' timestamps this
 * splits the wait after the last result into the aggregator catching up with the results and the decision itself.
 * Five small requests a second cost the aggregator nothing measurable.
 */
final class AggregatorProbe implements AutoCloseable {

    private static final Duration PERIOD = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpRequest request;
    private final long items;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long allCountedMs = -1;

    private AggregatorProbe(URI api, String batchId, long items) {
        this.request = HttpRequest.newBuilder(api.resolve("/batches/" + batchId)).timeout(Duration.ofSeconds(2))
                .GET().build();
        this.items = items;
        this.thread = Thread.ofVirtual().name("aggregator-probe-" + batchId).start(this::run);
    }

    /** Starts probing the batch on the aggregator whose results API is at {@code api}. */
    static AggregatorProbe start(URI api, String batchId, long items) {
        return new AggregatorProbe(api, batchId, items);
    }

    /** When the aggregator first reported every item counted (epoch ms, within 200 ms), or -1 if it never did. */
    long allCountedMs() {
        return allCountedMs;
    }

    private void run() {
        while (running && allCountedMs < 0) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                long now = System.currentTimeMillis();
                if (response.statusCode() == 200) {
                    JsonNode batch = JSON.readTree(response.body());
                    if (batch.path("finished").asLong() >= items) {
                        allCountedMs = now;
                    }
                }
                Thread.sleep(PERIOD);
            } catch (IOException unknownYetOrBusy) {
                // the batch is not registered yet, or the aggregator is slow to answer: ask again
                sleepQuietly();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(PERIOD);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
