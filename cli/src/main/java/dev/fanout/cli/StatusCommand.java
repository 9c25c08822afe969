package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.results.ResultsClient;
import dev.fanout.results.ResultsClient.Answer;
import dev.fanout.results.ResultsClient.Found;
import dev.fanout.results.ResultsClient.Refused;
import dev.fanout.config.ConfigException;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchResultReader;
import dev.fanout.protocol.BatchResult;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ResultsApi;
import dev.fanout.protocol.ResultsApi.BatchView;
import dev.fanout.protocol.ResultsApi.ItemFilter;
import dev.fanout.protocol.ResultsApi.ItemPage;
import dev.fanout.protocol.ResultsApi.ItemView;
import dev.fanout.protocol.ResultsApi.Problem;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fanout status}: a batch's decision or progress, and its items, from the aggregator's results API; the
 * decision alone from the batch-results topic when no API answers.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a batch: its decision (or its progress) and, with --items, its items, from the"
                + " aggregator's results API. When no API answers, the decision is read from the batch-results topic."
                + " The first line says which source answered.")
final class StatusCommand implements Callable<Integer> {

    /** Exit code when the batch has no decision (yet), or is unknown. */
    static final int EXIT_UNDECIDED = 3;
    /** Where the results API is looked for unless {@code --aggregator-url} or the environment says otherwise. */
    static final String ENV_AGGREGATOR_URL = "FANOUT_AGGREGATOR_URL";
    static final String DEFAULT_AGGREGATOR_URL = "http://127.0.0.1:" + ResultsApi.DEFAULT_PORT;
    private static final Duration API_TIMEOUT = Duration.ofSeconds(10);
    private static final int OUTPUT_CHARS = 100;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH_ID")
    String batchId;

    @Option(names = "--json", description = "End with one JSON object: the decision, the progress, or the items.")
    boolean json;

    @Option(names = "--items", description = "List the batch's items, by index (needs the results API).")
    boolean items;

    @Option(names = "--status", paramLabel = "STATUS", converter = ItemFilterConverter.class,
            description = "With --items: only succeeded, failed (every item that did not succeed), timed_out or"
                    + " cancelled items. Implies --items.")
    ItemFilter status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "With --items: list at most N items (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--aggregator-url", paramLabel = "URL", description = "The aggregator's results API (default: $"
            + ENV_AGGREGATOR_URL + " or " + DEFAULT_AGGREGATOR_URL + "). With --topic-prefix, an API serving another"
            + " prefix is not used.")
    URI aggregatorUrl;

    @Override
    public Integer call() {
        Logs.quiet();
        if (limit < 1) {
            throw new ConfigException("--limit must be >= 1, was " + limit);
        }
        boolean listItems = items || status != null;
        URI url = aggregatorUrl != null ? aggregatorUrl
                : URI.create(System.getenv().getOrDefault(ENV_AGGREGATOR_URL, DEFAULT_AGGREGATOR_URL));
        String prefix = kafka.topicPrefix != null ? kafka.topicPrefix : System.getenv(KafkaSettings.ENV_TOPIC_PREFIX);
        ResultsClient api = prefix == null ? ResultsClient.of(url, API_TIMEOUT)
                : ResultsClient.of(url, API_TIMEOUT, prefix);
        Answer<BatchView> answer;
        try {
            answer = api.batch(batchId);
        } catch (ResultsClient.UnreachableException e) {
            if (listItems) {
                throw new CommandFailedException("--items needs the aggregator's results API, and " + e.getMessage()
                        + "; start one (fanout aggregator) or pass --aggregator-url");
            }
            return fromTopic(e.getMessage());
        }
        System.out.println("source: results API at " + url);
        int exit = switch (answer) {
            case Found<BatchView> found -> describe(found.value(), json && !listItems);
            case Refused<BatchView> refused -> refused(refused.problem(), json);
        };
        if (listItems && answer instanceof Found) {
            listItems(api);
        }
        return exit;
    }

    private int describe(BatchView view, boolean printJson) {
        if (view.decided()) {
            System.out.println(view.decision() != null ? ResultText.describe(view.decision())
                    : "batch " + view.batchId() + ": " + view.status());
            if (view.decision() != null && !view.decision().settled()) {
                System.out.printf(Locale.ROOT, "  so far: %d of %s items accounted for (%d succeeded, %d failed, %d"
                        + " cancelled)%n", view.finished(), view.total() == null ? "?" : view.total(),
                        view.succeeded(), view.failed(), view.cancelled());
            }
            if (printJson) {
                System.out.println(Json.line(view.decision() != null ? view.decision() : view));
            }
            return 0;
        }
        String total = view.total() == null ? "" : " of " + view.total();
        System.out.printf(Locale.ROOT, "batch %s: not decided yet: %d%s items finished (%d succeeded, %d failed)%s%n",
                view.batchId(), view.finished(), total, view.succeeded(), view.failed(),
                view.strategy() == null ? "; no definition read yet" : ", strategy " + view.strategy().id()
                        + (Boolean.TRUE.equals(view.sealed()) ? "" : ", still streaming items"));
        if (printJson) {
            ObjectNode progress = Envelopes.mapper().valueToTree(view);
            progress.put("status", "UNDECIDED");
            System.out.println(Json.line(progress));
        }
        return EXIT_UNDECIDED;
    }

    private int refused(Problem problem, boolean printJson) {
        if (problem.status() != 404) {
            throw new CommandFailedException("the results API answered " + problem.status() + ": " + problem.error());
        }
        System.out.println("batch " + batchId + ": unknown: " + problem.error());
        if (printJson) {
            System.out.println("{\"batchId\":" + Json.line(batchId) + ",\"status\":\"UNKNOWN\"}");
        }
        return EXIT_UNDECIDED;
    }

    private void listItems(ResultsClient api) {
        List<ItemView> found = new ArrayList<>();
        Long after = null;
        do {
            Answer<ItemPage> answer = api.items(batchId, status, after, Math.min(ResultsApi.MAX_LIMIT,
                    limit - found.size()));
            if (answer instanceof Refused<ItemPage> refused) {
                throw new CommandFailedException("the results API refused the item list: "
                        + refused.problem().error());
            }
            ItemPage page = ((Found<ItemPage>) answer).value();
            found.addAll(page.items());
            after = page.next();
        } while (after != null && found.size() < limit);
        System.out.printf("%d %sitems%s%n", found.size(), status == null ? "" : status.id() + " ",
                after == null ? "" : " (more after index " + after + ": --limit, or GET /batches/" + batchId
                        + "/items?after=" + after + ")");
        found.forEach(item -> System.out.println(line(item)));
        if (json) {
            System.out.println(Json.line(new ItemPage(batchId, found, after)));
        }
    }

    private static String line(ItemView item) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  #%-6d %-20s %-9s %6d ms", item.index(),
                item.itemId(), item.status(), item.durationMs()));
        if (item.reason() != null) {
            text.append("  ").append(item.reason());
        }
        if (item.error() != null) {
            text.append("  ").append(item.error().type()).append(": ").append(shorten(item.error().message()));
        }
        if (item.output() != null) {
            text.append("  ").append(shorten(item.output().toString()));
        }
        return text.toString();
    }

    private static String shorten(String text) {
        return text.length() <= OUTPUT_CHARS ? text : text.substring(0, OUTPUT_CHARS - 1) + "…";
    }

    /** The decision from the batch-results topic, when no results API answers. */
    private int fromTopic(String why) {
        KafkaSettings settings;
        try {
            settings = kafka.settings();
        } catch (ConfigException e) {
            throw new ConfigException(why + ", and " + e.getMessage());
        }
        System.out.println("source: topic " + settings.topics().batchResults().name() + " (" + why + ")");
        Optional<BatchResult> result = BatchResultReader.latest(settings, batchId);
        if (result.isEmpty()) {
            System.out.println("batch " + batchId + ": no decision yet (or no such batch)");
            if (json) {
                System.out.println("{\"batchId\":" + Json.line(batchId) + ",\"status\":\"UNDECIDED\"}");
            }
            return EXIT_UNDECIDED;
        }
        System.out.println(ResultText.describe(result.get()));
        if (json) {
            System.out.println(Json.line(result.get()));
        }
        return 0;
    }

    /** Reads {@code --status} with the API's names and error message. */
    static final class ItemFilterConverter implements picocli.CommandLine.ITypeConverter<ItemFilter> {
        @Override
        public ItemFilter convert(String value) {
            try {
                return ItemFilter.of(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("--" + e.getMessage());
            }
        }
    }
}
