package dev.fanout.results;

import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.BatchPage;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.ResultsApi.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A client of the aggregator's results API (any instance: it forwards to the one that owns a batch).
 *
 * <pre>{@code
 * ResultsClient api = ResultsClient.of(URI.create("http://127.0.0.1:7070"));
 * switch (api.batch("orders-1")) {
 *     case ResultsClient.Found<BatchView> found -> ... found.value().status() ...
 *     case ResultsClient.Refused<BatchView> refused -> ... refused.problem().error() ...
 * }
 * }</pre>
 */
public final class ResultsClient {

    /** How long a request may take, connection included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private final URI base;
    private final HttpClient client;
    private final Duration timeout;
    private final String topicPrefix;

    private ResultsClient(URI base, Duration timeout, String topicPrefix) {
        this.base = Objects.requireNonNull(base, "base");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.topicPrefix = topicPrefix;
        this.client = HttpClient.newBuilder().connectTimeout(timeout.compareTo(Duration.ofSeconds(2)) < 0
                ? timeout : Duration.ofSeconds(2)).build();
    }

    /** A client of the API at {@code base}, e.g. {@code http://127.0.0.1:7070}. */
    public static ResultsClient of(URI base) {
        return new ResultsClient(base, DEFAULT_TIMEOUT, null);
    }

    public static ResultsClient of(URI base, Duration timeout) {
        return new ResultsClient(base, timeout, null);
    }

    /**
     * A client that only accepts an aggregator of the deployment with this topic prefix: an API of another
     * deployment counts as no API ({@link UnreachableException}).
     */
    public static ResultsClient of(URI base, Duration timeout, String topicPrefix) {
        return new ResultsClient(base, timeout, Objects.requireNonNull(topicPrefix, "topicPrefix"));
    }

    /** The API's address. */
    public URI base() {
        return base;
    }

    /** An answer from the API: what was asked for, or the API's refusal (not found, bad request, retry). */
    public sealed interface Answer<T> {
    }

    /** The API answered with the value. */
    public record Found<T>(T value) implements Answer<T> {
    }

    /** The API answered with an error. */
    public record Refused<T>(Problem problem) implements Answer<T> {
    }

    /** No results API answered at the address: nothing listens, it timed out, or something else answered. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code GET /batches/{id}}. */
    public Answer<BatchView> batch(String batchId) {
        return get("/batches/" + encode(batchId), BatchView.class);
    }

    /** {@code GET /batches}: one page, after a batch id ({@code null} for the first page). */
    public Answer<BatchPage> batches(String after, int limit) {
        return get("/batches?limit=" + limit + (after == null ? "" : "&after=" + encode(after)), BatchPage.class);
    }

    /** {@code GET /batches/{id}/items}: one page, after an index ({@code null} for the first page). */
    public Answer<ItemPage> items(String batchId, ItemFilter filter, Long after, int limit) {
        return get("/batches/" + encode(batchId) + "/items?limit=" + limit
                + (filter == null ? "" : "&status=" + filter.id()) + (after == null ? "" : "&after=" + after),
                ItemPage.class);
    }

    /**
     * Up to {@code max} items, following pages.
     *
     * @return the items, or the refusal that stopped the listing
     */
    public Answer<List<ItemView>> allItems(String batchId, ItemFilter filter, int max) {
        List<ItemView> items = new ArrayList<>();
        Long after = null;
        while (items.size() < max) {
            Answer<ItemPage> answer = items(batchId, filter, after,
                    Math.min(ResultsApi.MAX_LIMIT, max - items.size()));
            if (answer instanceof Refused<ItemPage> refused) {
                return new Refused<>(refused.problem());
            }
            ItemPage page = ((Found<ItemPage>) answer).value();
            items.addAll(page.items());
            if (page.next() == null) {
                break;
            }
            after = page.next();
        }
        return new Found<>(List.copyOf(items));
    }

    /** {@code GET /batches/{id}/items/{itemId or index}}. */
    public Answer<ItemView> item(String batchId, String itemIdOrIndex) {
        return get("/batches/" + encode(batchId) + "/items/" + encode(itemIdOrIndex), ItemView.class);
    }

    private <T> Answer<T> get(String pathAndQuery, Class<T> type) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UnreachableException("no results API answered at " + base + " (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while asking the results API at " + base, e);
        }
        if (!response.headers().firstValue(ResultsApi.VERSION_HEADER).orElse("").equals(ResultsApi.VERSION)) {
            throw new UnreachableException("something answered at " + base + " (HTTP " + response.statusCode()
                    + "), but not a Fanout results API (" + ResultsApi.VERSION + ")", null);
        }
        String served = response.headers().firstValue(ResultsApi.TOPIC_PREFIX_HEADER).orElse("");
        if (topicPrefix != null && !topicPrefix.equals(served)) {
            throw new UnreachableException("the results API at " + base + " serves topic prefix '" + served
                    + "', not '" + topicPrefix + "'", null);
        }
        try {
            if (response.statusCode() == 200) {
                return new Found<>(Envelopes.mapper().readValue(response.body(), type));
            }
            return new Refused<>(Envelopes.mapper().readValue(response.body(), Problem.class));
        } catch (IOException e) {
            throw new IllegalStateException("the results API at " + base + " sent an unreadable answer to "
                    + pathAndQuery + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Throwable error) {
        if (error instanceof java.net.ConnectException) {
            return "connection refused: nothing listens there";
        }
        if (error instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time: " + error.getMessage();
        }
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e.getMessage() != null && !e.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return error.getClass().getSimpleName();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
