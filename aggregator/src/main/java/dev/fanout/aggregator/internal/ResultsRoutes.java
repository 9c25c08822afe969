package dev.fanout.aggregator.internal;

import dev.fanout.aggregator.internal.StoreLocator.Local;
import dev.fanout.aggregator.internal.StoreLocator.Location;
import dev.fanout.aggregator.internal.StoreLocator.Remote;
import dev.fanout.aggregator.internal.StoreLocator.Unavailable;
import dev.fanout.ops.ErrorReference;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.PoisonRecordException;
import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.BatchPage;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.ResultsApi.JobView;
import dev.fanout.protocol.ResultsApi.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results API's routes: parses and checks a request, answers it from this instance's stores, or forwards it
 * (once) to the instance that owns the batch. {@code GET /batches} gathers every instance's batches.
 */
final class ResultsRoutes implements AutoCloseable {

    /** How long a forwarded request may take. */
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(15);

    private static final String ENDPOINTS = "GET /batches, GET /batches/{id}, GET /batches/{id}/items,"
            + " GET /batches/{id}/items/{itemId or index}, GET /batches/{id}/items/{itemId or index}/job,"
            + " GET /batches/{id}/timeline";
    /** The longest {@code since} cursor a timeline request may carry. */
    private static final int MAX_CURSOR_CHARS = 64;
    private static final String LOCAL = "local";
    private static final String TIMELINE = "timeline";
    private static final Logger log = LoggerFactory.getLogger(ResultsRoutes.class);

    private final StoreLocator locator;
    private final JobReader jobs;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ResultsRoutes(StoreLocator locator, JobReader jobs) {
        this.locator = Objects.requireNonNull(locator, "locator");
        this.jobs = Objects.requireNonNull(jobs, "jobs");
    }

    /**
     * An answer: a status and either a value to encode as JSON or a body forwarded as it is.
     */
    record Answer(int status, Object value, byte[] body) {
    }

    static Answer ok(Object value) {
        return new Answer(200, value, null);
    }

    static Answer problem(int status, String message) {
        return new Answer(status, new Problem(status, message), null);
    }

    /** Answers one request. */
    Answer answer(String method, URI uri, boolean forwarded) {
        if (!"GET".equals(method)) {
            return problem(405, "only GET is supported, was " + method);
        }
        try {
            List<String> path = segments(uri.getRawPath());
            Map<String, String> query = query(uri.getRawQuery());
            if (!known(path)) {
                return problem(404, "no such endpoint: " + uri.getPath() + "; the endpoints are " + ENDPOINTS);
            }
            if (path.size() == 1) {
                allow(query, "limit", "after", LOCAL);
                return list(query, forwarded || "true".equals(query.get(LOCAL)));
            }
            String batchId = path.get(1);
            if (path.size() == 2) {
                allow(query);
                return onBatch(batchId, uri, forwarded, queries -> queries.batch(batchId).map(ResultsRoutes::ok)
                        .orElseGet(() -> noBatch(batchId)));
            }
            if (path.size() == 3 && path.get(2).equals(TIMELINE)) {
                allow(query, "max", "since");
                int max = max(query);
                String since = since(query);
                return onBatch(batchId, uri, forwarded, queries -> withItems(queries, batchId, () -> queries.timeline(
                        batchId, max, since).map(ResultsRoutes::ok).orElseGet(() -> noBatch(batchId))));
            }
            if (path.size() == 3) {
                allow(query, "status", "limit", "after");
                ItemFilter filter = query.containsKey("status") ? filter(query.get("status")) : null;
                long after = query.containsKey("after") ? after(query.get("after")) : -1;
                int limit = limit(query);
                return onBatch(batchId, uri, forwarded, queries -> withItems(queries, batchId,
                        () -> ok(queries.items(batchId, filter, after, limit))));
            }
            allow(query);
            String ref = path.get(3);
            boolean job = path.size() == 5;
            return onBatch(batchId, uri, forwarded, queries -> withItems(queries, batchId,
                    () -> queries.item(batchId, ref).map(item -> job ? job(item) : ok(item)).orElseGet(() -> problem(
                            404, "batch '" + batchId + "' has no item '" + ref + "' (looked up by item id, and by"
                                    + " index for a number); list them with GET /batches/" + batchId + "/items"))));
        } catch (BadRequest e) {
            return problem(400, e.getMessage());
        }
    }

    private static boolean known(List<String> path) {
        if (path.isEmpty() || !path.get(0).equals("batches")) {
            return false;
        }
        return switch (path.size()) {
            case 1, 2 -> true;
            case 3 -> path.get(2).equals("items") || path.get(2).equals(TIMELINE);
            case 4 -> path.get(2).equals("items");
            case 5 -> path.get(2).equals("items") && path.get(4).equals("job");
            default -> false;
        };
    }

    /** The job record an item ran from, read back from its lane topic. */
    private Answer job(ItemView item) {
        if (item.job() == null) {
            return problem(404, "item '" + item.itemId() + "' of batch '" + item.batchId() + "' has no job"
                    + " coordinates: its result came from a worker of an earlier release, or from the dispatcher"
                    + " (an item it never published)");
        }
        return switch (jobs.read(item.job())) {
            case JobReader.Job found -> ok(new JobView(item.batchId(), item.itemId(), item.index(), item.job(),
                    found.record().get("payload"), found.record()));
            case JobReader.Missing missing -> problem(410, missing.why());
        };
    }

    private Answer onBatch(String batchId, URI uri, boolean forwarded, Function<ResultsQueries, Answer> local) {
        Location location = locator.locate(batchId);
        return switch (location) {
            case Local here -> local.apply(here.queries());
            case Remote there -> forwarded
                    ? problem(503, "batch '" + batchId + "' is moving between aggregator instances; retry")
                    : forward(there.base(), uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                            "batch '" + batchId + "'");
            case Unavailable none -> problem(503, none.why() + "; retry");
        };
    }

    private static Answer withItems(ResultsQueries queries, String batchId, Supplier<Answer> then) {
        Optional<Boolean> removed = queries.itemsRemoved(batchId);
        if (removed.isEmpty()) {
            return noBatch(batchId);
        }
        if (removed.get()) {
            return problem(410, "batch '" + batchId + "' was decided long ago: its items were removed after the"
                    + " aggregator's itemRetention; its decision is still at GET /batches/" + batchId);
        }
        return then.get();
    }

    private static Answer noBatch(String batchId) {
        return problem(404, "no batch '" + batchId + "': the aggregator has read no definition and no result for it");
    }

    private Answer list(Map<String, String> query, boolean localOnly) {
        int limit = limit(query);
        String after = query.get("after");
        List<BatchView> found = new ArrayList<>();
        boolean more = false;
        for (Location location : locator.everywhere()) {
            switch (location) {
                case Local here -> {
                    List<BatchView> page = here.queries().batches(after, limit + 1);
                    more |= page.size() > limit;
                    found.addAll(page.subList(0, Math.min(limit, page.size())));
                }
                case Remote there -> {
                    if (localOnly) {
                        continue;
                    }
                    String path = "/batches?local=true&limit=" + limit
                            + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
                    Answer answer = forward(there.base(), path, "the batch list");
                    if (answer.status() != 200) {
                        return answer;
                    }
                    BatchPage page = decode(answer.body(), BatchPage.class, there.base());
                    more |= page.next() != null;
                    found.addAll(page.batches());
                }
                case Unavailable none -> {
                    return problem(503, none.why() + "; retry");
                }
            }
        }
        found.sort(Comparator.comparing(BatchView::batchId));
        if (found.size() > limit) {
            more = true;
            found = found.subList(0, limit);
        }
        String next = more && !found.isEmpty() ? found.get(found.size() - 1).batchId() : null;
        return ok(new BatchPage(found, next));
    }

    private Answer forward(URI base, String pathAndQuery, String what) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(FORWARD_TIMEOUT)
                .header(ResultsApi.FORWARDED_HEADER, "1").GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.headers().firstValue(ResultsApi.VERSION_HEADER).isEmpty()) {
                return problem(502, "the aggregator instance at " + base + " that holds " + what
                        + " answered, but not as a Fanout results API (HTTP " + response.statusCode() + ")");
            }
            return new Answer(response.statusCode(), null, response.body());
        } catch (IOException e) {
            return problem(502, ErrorReference.describe(log, "the aggregator instance at " + base + " that holds "
                    + what + " did not answer", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, "interrupted while asking the aggregator instance at " + base);
        }
    }

    private static <T> T decode(byte[] body, Class<T> type, URI from) {
        try {
            return Envelopes.mapper().readValue(body, type);
        } catch (IOException | PoisonRecordException e) {
            throw new IllegalStateException("the aggregator instance at " + from + " sent an unreadable "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : (rawPath == null ? "" : rawPath).split("/")) {
            if (!raw.isEmpty()) {
                segments.add(decode(raw));
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (query.put(name, value) != null) {
                throw new BadRequest("parameter '" + name + "' is given twice; give it once");
            }
        }
        return query;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("'" + raw + "' is not valid URL encoding");
        }
    }

    private static void allow(Map<String, String> query, String... known) {
        Set<String> allowed = Set.of(known);
        for (String name : query.keySet()) {
            if (!allowed.contains(name)) {
                throw new BadRequest("unknown parameter '" + name + "'; "
                        + (known.length == 0 ? "this endpoint takes none" : "known here: " + String.join(", ",
                        List.of(known).stream().filter(k -> !k.equals(LOCAL)).toList())));
            }
        }
    }

    private static int limit(Map<String, String> query) {
        String text = query.get("limit");
        if (text == null) {
            return ResultsApi.DEFAULT_LIMIT;
        }
        if (text.matches("\\d{1,4}")) {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= ResultsApi.MAX_LIMIT) {
                return limit;
            }
        }
        throw new BadRequest("limit must be a whole number from 1 to " + ResultsApi.MAX_LIMIT + ", was '" + text
                + "'");
    }

    private static long after(String text) {
        if (!text.matches("\\d{1,18}")) {
            throw new BadRequest("after must be an item index (a whole number >= 0, e.g. a page's next), was '" + text
                    + "'");
        }
        return Long.parseLong(text);
    }

    private static String since(Map<String, String> query) {
        String text = query.get("since");
        if (text != null && (text.length() > MAX_CURSOR_CHARS || !text.matches("[0-9.-]+"))) {
            throw new BadRequest("since must be the cursor of an earlier timeline answer, was '" + text + "'");
        }
        return text;
    }

    private static int max(Map<String, String> query) {
        String text = query.get("max");
        if (text == null) {
            return ResultsApi.TIMELINE_MAX;
        }
        if (text.matches("\\d{1,7}")) {
            int max = Integer.parseInt(text);
            if (max >= 1 && max <= ResultsApi.TIMELINE_MAX) {
                return max;
            }
        }
        throw new BadRequest("max must be a whole number from 1 to " + ResultsApi.TIMELINE_MAX + ", was '" + text
                + "'");
    }

    private static ItemFilter filter(String text) {
        try {
            return ItemFilter.of(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    /** Releases the client that forwards requests. */
    @Override
    public void close() {
        client.close();
        jobs.close();
    }

    /** A request that names an unknown parameter or a bad value. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
