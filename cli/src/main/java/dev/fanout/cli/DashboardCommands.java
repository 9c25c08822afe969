package dev.fanout.cli;

import dev.fanout.aggregator.dashboard.DashboardActions;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.BatchSignals;
import dev.fanout.dispatcher.SignalReceipt;
import dev.fanout.dispatcher.dlq.DeadLetterFilter;
import dev.fanout.dispatcher.dlq.DeadLetterReplay;
import dev.fanout.dispatcher.dlq.ReplayOptions;
import dev.fanout.dispatcher.dlq.ReplaySummary;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The dashboard's actions as the CLI's own commands do them: pause, resume and cancel publish a control signal
 * ({@code fanout pause|resume|cancel}); replay sends the batch's dead letters back once ({@code fanout dlq replay
 * --batch}).
 */
final class DashboardCommands implements DashboardActions {

    private final KafkaSettings kafka;

    DashboardCommands(KafkaSettings kafka) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
    }

    @Override
    public String perform(Action action, String batchId) throws InterruptedException {
        if (action == Action.REPLAY) {
            ReplayOptions options = new ReplayOptions(new DeadLetterFilter(batchId, null, null, null, null, null, null),
                    false, null, null, null, false, Set.of(), false);
            ReplaySummary summary = DeadLetterReplay.of(kafka).run(options, (replayed, of) -> { });
            return String.format(Locale.ROOT, "replayed %d dead letters of batch %s (%d replayed before)",
                    summary.replayed(), batchId, summary.alreadyReplayed());
        }
        try (BatchSignals signals = BatchSignals.create(kafka, InstantSource.system())) {
            String reason = "from the dashboard";
            SignalReceipt receipt = switch (action) {
                case PAUSE -> signals.pause(batchId, reason);
                case RESUME -> signals.resume(batchId, reason);
                case CANCEL -> signals.cancel(batchId, reason);
                case REPLAY -> throw new IllegalStateException("handled above");
            };
            String notes = receipt.notes().isEmpty() ? "" : "; " + String.join("; ", receipt.notes());
            return receipt.action() + " signal sent for batch " + batchId + " (" + receipt.topic() + "/"
                    + receipt.partition() + "/" + receipt.offset() + ")" + notes;
        }
    }
}
