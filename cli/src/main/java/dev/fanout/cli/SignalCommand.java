package dev.fanout.cli;

import dev.fanout.config.ConfigException;
import dev.fanout.config.Durations;
import dev.fanout.dispatcher.BatchSignals;
import dev.fanout.dispatcher.DispatchException;
import dev.fanout.dispatcher.SignalReceipt;
import dev.fanout.dispatcher.SignalRefusedException;
import dev.fanout.protocol.ControlSignal;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fanout pause|resume|cancel BATCH_ID}: publish a control signal for a batch and wait for the broker to take
 * it. The work is {@link BatchSignals}'; this prints the outcome and maps refusals to exit codes.
 */
abstract class SignalCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "BATCH_ID", description = "The batch (as fanout dispatch printed it).")
    String batchId;

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "Why, carried with the signal; a cancel's reason shows in the cancelled items' results"
                    + " (default: \"paused with fanout pause\", and so on).")
    String reason;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for Kafka and the acknowledgement (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "End with one JSON object: the signal and where it was written.")
    boolean json;

    abstract ControlSignal.Action action();

    @Override
    public Integer call() {
        Logs.quietKafkaClients();
        Duration wait = Durations.parse(timeout, "--timeout");
        if (wait.isZero()) {
            throw new ConfigException("--timeout must be a positive duration such as 30s, was " + timeout);
        }
        if (reason != null && reason.isBlank()) {
            throw new ConfigException("--reason must not be blank; leave it out for the default reason, \""
                    + defaultReason(action()) + "\"");
        }
        String why = reason != null ? reason : defaultReason(action());
        SignalReceipt receipt;
        try (BatchSignals signals = BatchSignals.create(kafka.settings(), InstantSource.system(), wait)) {
            receipt = signals.send(batchId, action(), why);
        } catch (SignalRefusedException e) {
            System.err.println("fanout: " + e.getMessage());
            return FanoutCommand.EXIT_INVALID;
        } catch (DispatchException e) {
            throw new CommandFailedException(e.getMessage());
        }
        receipt.notes().forEach(note -> System.err.println("fanout: note: " + note));
        System.out.printf("batch %s: %s signal sent (control topic %s, partition %d, offset %d)%n", batchId,
                receipt.action(), receipt.topic(), receipt.partition(), receipt.offset());
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("batchId", batchId);
            out.put("action", receipt.action());
            out.put("reason", receipt.signal().reason());
            out.put("at", receipt.signal().at().toString());
            out.put("topic", receipt.topic());
            out.put("partition", receipt.partition());
            out.put("offset", receipt.offset());
            out.put("previous", receipt.previous() == null ? null : receipt.previous().action().id());
            out.put("decided", receipt.decided() == null ? null : receipt.decided().name());
            out.put("notes", receipt.notes());
            System.out.println(Json.line(out));
        }
        return 0;
    }

    /** {@code paused with fanout pause}: what workers and results show when no reason is given. */
    static String defaultReason(ControlSignal.Action action) {
        String done = switch (action) {
            case PAUSE -> "paused";
            case RESUME -> "resumed";
            case CANCEL -> "cancelled";
        };
        return done + " with fanout " + action.id();
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a batch: workers hold its items that have not started (running ones finish) until"
                    + " it is resumed or cancelled. Sends a pause signal on the control topic and waits for the"
                    + " broker to take it.")
    static final class Pause extends SignalCommand {
        @Override
        ControlSignal.Action action() {
            return ControlSignal.Action.PAUSE;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused batch: workers run its held items again. Refused for a cancelled batch.")
    static final class Resume extends SignalCommand {
        @Override
        ControlSignal.Action action() {
            return ControlSignal.Action.RESUME;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a batch: workers record its items that have not started CANCELLED (no dead letter)"
                    + " instead of running them; running ones finish. Cannot be undone.")
    static final class Cancel extends SignalCommand {
        @Override
        ControlSignal.Action action() {
            return ControlSignal.Action.CANCEL;
        }
    }
}
