package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.dispatcher.audit.AuditReport;
import dev.fanout.dispatcher.audit.BatchAudit;
import dev.fanout.protocol.Envelopes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fanout verify BATCH}: checks from the topics alone that every item of a batch is accounted for. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check from the topics alone, with no service running, that every item of a batch is accounted"
                + " for: the batch is sealed, every item has exactly one counted outcome (its first result, as the"
                + " aggregator counts), the batch has exactly one revision-1 decision and its settled decision's"
                + " counts equal the counted outcomes, every dead-lettered item has a dead letter and every dead letter"
                + " an item that was dead-lettered. Prints " + AuditReport.ACCOUNTED + " (exit 0) or "
                + AuditReport.NOT_ACCOUNTED + " with the problems (exit 1), and the reruns: result records and dead"
                + " letters beyond one per item, which a crash or a rebalance repeats.",
                "Run it once the batch is decided (fanout dispatch --wait, fanout status)."})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH", description = "The batch id.")
    String batchId;

    @Option(names = "--json", description = "Print one JSON object: {\"accounted\": true|false, \"summary\": ...,"
            + " \"report\": {...}}.")
    boolean json;

    @Override
    public Integer call() {
        Logs.quiet();
        AuditReport report = BatchAudit.of(kafka.settings()).audit(batchId);
        if (json) {
            ObjectNode document = Envelopes.mapper().createObjectNode();
            document.put("accounted", report.accounted());
            document.put("summary", report.summary());
            document.set("report", Envelopes.mapper().valueToTree(report));
            System.out.println(Json.line(document));
        } else {
            System.out.println(report.summary());
        }
        return report.accounted() ? 0 : 1;
    }
}
