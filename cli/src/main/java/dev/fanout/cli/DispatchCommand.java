package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchResults;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchResult;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.InlineItems;
import dev.fanout.dispatcher.ItemSource;
import dev.fanout.dispatcher.JsonLinesItems;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.protocol.BatchResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fanout dispatch}: publish a batch from a batch file, with items inline or as JSON Lines. */
@Command(name = "dispatch", mixinStandardHelpOptions = true,
        description = "Publish a batch: a YAML/JSON batch file (handler, policy, items), or its items as JSON Lines"
                + " from a file or stdin (--items -). Invalid input is refused before anything is published.")
final class DispatchCommand implements Callable<Integer> {

    /** Exit code when {@code --wait} ends with a batch that did not succeed. */
    static final int EXIT_BATCH_FAILED = 3;
    /** Exit code when {@code --wait} timed out. */
    static final int EXIT_NO_DECISION = 4;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH_FILE", description = "Batch file (.yaml, .yml or .json).")
    Path batchFile;

    @Option(names = "--items", paramLabel = "FILE|-",
            description = "Items as JSON Lines, one per line, from a file or - for stdin (streamed).")
    String items;

    @Option(names = "--batch-id", description = "Overrides the file's batchId.")
    String batchId;

    @Option(names = "--wait", description = "Wait for the batch's decision; exit 0 only if it succeeded.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "1h", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "End with one JSON object: the decision with --wait, else what was published.")
    boolean json;

    @Override
    public Integer call() {
        Logs.quiet();
        BatchSpec.File file = BatchSpec.File.read(batchFile);
        BatchSpec spec = batchId == null ? file.spec() : file.spec().withBatchId(batchId);
        if (items != null && file.items() != null) {
            throw new ConfigException(batchFile + ": the file has items and --items was given; use one of them");
        }
        if (items == null && file.items() == null) {
            throw new ConfigException(batchFile + ": no items: add an items list to the file or pass --items FILE|-");
        }
        Duration waitFor = Durations.parse(timeout, "--timeout");
        KafkaSettings settings = kafka.settings();
        try (Dispatcher dispatcher = new Dispatcher(settings, HandlerCatalog.load(), new MetricRegistry(),
                InstantSource.system())) {
            DispatchResult published;
            if (items == null || !items.equals("-")) {
                try (ItemSource check = source(file)) {
                    dispatcher.validate(spec, check);
                }
            }
            try (ItemSource source = source(file)) {
                published = dispatcher.dispatch(spec, source);
            }
            System.out.println("batch " + published.batchId() + ": " + published.total() + " items published to "
                    + published.topic() + " in " + published.took().toMillis() + " ms");
            if (!await) {
                if (json) {
                    System.out.println(Json.line(published));
                }
                return 0;
            }
            Optional<BatchResult> decision = BatchResults.await(settings, published.batchId(), waitFor, () -> true);
            if (decision.isEmpty()) {
                System.err.println("fanout: no decision on batch " + published.batchId() + " within " + timeout
                        + "; is an aggregator running? (fanout aggregator)");
                return EXIT_NO_DECISION;
            }
            System.out.println(ResultText.describe(decision.get()));
            if (json) {
                System.out.println(Json.line(decision.get()));
            }
            return decision.get().status().isSuccessful() ? 0 : EXIT_BATCH_FAILED;
        }
    }

    private ItemSource source(BatchSpec.File file) {
        if (items == null) {
            return new InlineItems(file.items());
        }
        return items.equals("-") ? JsonLinesItems.of(System.in, "stdin") : JsonLinesItems.validatedFile(Path.of(items));
    }
}
