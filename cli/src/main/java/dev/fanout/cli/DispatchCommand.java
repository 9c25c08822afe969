package dev.fanout.cli;

import com.codahale.metrics.MetricRegistry;
import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchHandle;
import dev.fanout.dispatcher.BatchSpec;
import dev.fanout.dispatcher.DispatchException;
import dev.fanout.dispatcher.DispatchOptions;
import dev.fanout.dispatcher.DispatchRefusedException;
import dev.fanout.dispatcher.DispatchResult;
import dev.fanout.dispatcher.Dispatcher;
import dev.fanout.dispatcher.HandlerResolver;
import dev.fanout.ops.Check;
import dev.fanout.ops.ServiceEndpoints;
import dev.fanout.ops.ServiceMetrics;
import dev.fanout.dispatcher.InlineItems;
import dev.fanout.dispatcher.InvalidItemPolicy;
import dev.fanout.dispatcher.ItemSource;
import dev.fanout.dispatcher.JsonLinesItems;
import dev.fanout.dispatcher.Validation;
import dev.fanout.protocol.BatchResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fanout dispatch}: publish a batch from a batch file, with items inline or as JSON Lines. */
@Command(name = "dispatch", mixinStandardHelpOptions = true,
        description = "Publish a batch: a YAML/JSON batch file (handler, policy, flow control, items), or its items"
                + " as JSON Lines from a file or stdin (--items -). Invalid input is refused before anything is"
                + " published.")
final class DispatchCommand implements Callable<Integer> {

    /** Exit code when {@code --wait} ends with a batch that did not succeed. */
    static final int EXIT_BATCH_FAILED = 3;
    /** Exit code when {@code --wait} timed out. */
    static final int EXIT_NO_DECISION = 4;
    /** Exit code when the lane is over {@code queue.maxSize} and {@code --no-wait-for-capacity} was given. */
    static final int EXIT_NO_CAPACITY = 6;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH_FILE", description = "Batch file (.yaml, .yml or .json).")
    Path batchFile;

    @Option(names = "--items", paramLabel = "FILE|-",
            description = "Items as JSON Lines, one per line, from a file or - for stdin (streamed).")
    String items;

    @Option(names = "--batch-id", description = "Overrides the file's batchId.")
    String batchId;

    @Option(names = "--resume", description = "The batch exists (e.g. its dispatcher was killed): publish only its"
            + " items that have no result yet, then seal it. Give the same input.")
    boolean resume;

    @Option(names = "--no-wait-for-capacity", description = "When the lane's backlog is at queue.maxSize, fail (exit "
            + EXIT_NO_CAPACITY + ") instead of waiting for the workers to catch up.")
    boolean noWaitForCapacity;

    @Option(names = InvalidItemPolicy.PROPERTY, paramLabel = "skip|fail", defaultValue = "fail",
            description = "An invalid item: fail (default: a file publishes nothing; stdin stops and the batch is"
                    + " cancelled) or skip (leave it out, list it, seal with the rest).")
    String onInvalidItem;

    @Option(names = "--require-handlers", description = "Refuse the batch when no live worker of its lane is in the"
            + " worker registry to check its handler names against (default: warn and publish; the items wait for"
            + " a worker).")
    boolean requireHandlers;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "-1", description = "Serve /metrics,"
            + " /healthz and /readyz on 127.0.0.1 while the dispatch runs (0: a free port; default: none).")
    int httpPort;

    @Option(names = "--wait", description = "Wait for the batch's decision; exit 0 only if it succeeded.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "1h", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "End with one JSON object: the decision with --wait, else what was published.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
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
        DispatchOptions options = DispatchOptions.ofDefaults().withResume(resume)
                .withWaitForCapacity(!noWaitForCapacity).withOnInvalidItem(InvalidItemPolicy.of(onInvalidItem));
        PrintStream out = Terminal.out();
        KafkaSettings settings = kafka.settings();
        HandlerResolver handlers = HandlerResolver.registry(settings, InstantSource.system(), requireHandlers,
                warning -> System.err.println("fanout: warning: " + warning));
        MetricRegistry metrics = new MetricRegistry();
        ServiceMetrics served = ServiceMetrics.of(metrics);
        ServiceMetrics.jmx(metrics); // for the life of the process, as the services do
        try (ServiceEndpoints endpoints = httpPort == ServiceEndpoints.DISABLED ? null
                        : ServiceEndpoints.start(ServiceEndpoints.DEFAULT_HOST, httpPort, Check::ok, Check::ok, served);
                Dispatcher dispatcher = new Dispatcher(settings, handlers, metrics, InstantSource.system())) {
            served.withKafkaClient("producer", dispatcher::kafkaMetrics);
            if (endpoints != null) {
                System.err.println("fanout: metrics at " + endpoints.url() + "/metrics while the dispatch runs");
            }
            ItemSource source = checkedSource(dispatcher, spec, file, options.onInvalidItem(), out);
            try (BatchHandle handle = dispatcher.dispatch(spec, source, options)) {
                DispatchResult published;
                try (DispatchProgressView view = new DispatchProgressView(out, Terminal.isInteractive(), handle, await)
                        .start()) {
                    published = handle.awaitPublished();
                    out.println(describe(published));
                    if (!await) {
                        if (json) {
                            out.println(Json.line(published));
                        }
                        return 0;
                    }
                    Optional<BatchResult> decision = published.outcome() == DispatchResult.Outcome.DECIDED_EARLY
                            ? Optional.of(handle.result().join()) : handle.awaitResult(waitFor);
                    view.close();
                    return decided(published.batchId(), decision, out);
                }
            }
        } catch (DispatchRefusedException e) {
            System.err.println("fanout: " + e.getMessage());
            return e.reason() == DispatchRefusedException.Reason.NO_CAPACITY ? EXIT_NO_CAPACITY
                    : FanoutCommand.EXIT_INVALID;
        } catch (DispatchException | CancellationException e) {
            throw new CommandFailedException(e.getMessage());
        }
    }

    /** The source to publish; a file's items are checked (and counted) first, so a bad file publishes nothing. */
    private ItemSource checkedSource(Dispatcher dispatcher, BatchSpec spec, BatchSpec.File file,
            InvalidItemPolicy policy, PrintStream out) {
        if (items != null && items.equals("-")) {
            return JsonLinesItems.of(System.in, "stdin");
        }
        Validation validation;
        try (ItemSource check = items == null ? new InlineItems(file.items()) : JsonLinesItems.file(Path.of(items))) {
            validation = dispatcher.validate(spec, check, policy);
        }
        if (!validation.rejected().isEmpty()) {
            out.println("skipping invalid items (" + InvalidItemPolicy.PROPERTY + " skip): "
                    + validation.rejected().describe());
        }
        return items == null ? new InlineItems(file.items()) : JsonLinesItems.file(Path.of(items), validation.items());
    }

    private int decided(String id, Optional<BatchResult> decision, PrintStream out) {
        if (decision.isEmpty()) {
            System.err.println("fanout: no decision on batch " + id + " within " + timeout
                    + "; is an aggregator running? (fanout aggregator)");
            return EXIT_NO_DECISION;
        }
        out.println(ResultText.describe(decision.get()));
        if (json) {
            out.println(Json.line(decision.get()));
        }
        return decision.get().status().isSuccessful() ? 0 : EXIT_BATCH_FAILED;
    }

    private static String describe(DispatchResult published) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "batch %s: %,d items published to %s in %d ms",
                published.batchId(), published.published(), published.topic(), published.took().toMillis()));
        if (published.alreadyDone() > 0) {
            text.append(String.format(Locale.ROOT, "; %,d items had a result already (resumed)",
                    published.alreadyDone()));
        }
        if (published.outcome() == DispatchResult.Outcome.DECIDED_EARLY) {
            text.append(String.format(Locale.ROOT, "; the batch was decided before the end: the other %,d items were"
                    + " not published and are recorded cancelled", published.total() - published.published()
                    - published.alreadyDone()));
        }
        text.append(String.format(Locale.ROOT, "; sealed with %,d items", published.total()));
        if (!published.rejected().isEmpty()) {
            text.append("; ").append(published.rejected().describe());
        }
        return text.toString();
    }
}
