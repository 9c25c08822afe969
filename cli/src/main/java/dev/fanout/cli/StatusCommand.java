package dev.fanout.cli;

import dev.fanout.dispatcher.BatchResults;
import dev.fanout.protocol.BatchResult;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fanout status}: a batch's latest decision. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a batch's latest decision from the batch-results topic.")
final class StatusCommand implements Callable<Integer> {

    /** Exit code when the batch has no decision (yet). */
    static final int EXIT_UNDECIDED = 3;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH_ID")
    String batchId;

    @Option(names = "--json", description = "End with the decision as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Logs.quiet();
        Optional<BatchResult> result = BatchResults.latest(kafka.settings(), batchId);
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
}
