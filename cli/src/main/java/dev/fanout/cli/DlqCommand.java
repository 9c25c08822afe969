package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.config.KafkaSettings;
import dev.fanout.dispatcher.dlq.DeadLetter;
import dev.fanout.dispatcher.dlq.DeadLetterContext;
import dev.fanout.dispatcher.dlq.DeadLetterFilter;
import dev.fanout.dispatcher.dlq.DeadLetterGroups;
import dev.fanout.dispatcher.dlq.DeadLetterHeaders;
import dev.fanout.dispatcher.dlq.DeadLetterReplay;
import dev.fanout.dispatcher.dlq.DeadLetterReader;
import dev.fanout.dispatcher.dlq.ReplayOptions;
import dev.fanout.dispatcher.dlq.ReplaySummary;
import dev.fanout.protocol.Envelopes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fanout dlq list|show|replay}: find dead letters, look at one, and replay them once. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Dead letters: list them grouped by reason and error, show one, replay them to their original"
                + " topic. Reads dead letters written by Fanout, Spring Kafka and Kafka Connect.",
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ShowCommand.class, DlqCommand.ReplayCommand.class})
final class DlqCommand implements Runnable {

    private static final int TEXT_CHARS = 60;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The filters {@code list} and {@code replay} share. */
    static final class FilterOptions {
        @Option(names = "--batch", paramLabel = "BATCH_ID", description = "Only this batch's dead letters.")
        String batch;
        @Option(names = "--reason", paramLabel = "REASON", description = "Only this failure reason (e.g. TIMEOUT).")
        String reason;
        @Option(names = "--error-contains", paramLabel = "TEXT",
                description = "Only dead letters whose error type or message contains TEXT (any case).")
        String errorContains;
        @Option(names = DeadLetterFilter.SINCE, paramLabel = "TIME",
                description = "Dead-lettered at or after TIME: an instant (2026-11-22T01:00:00Z) or an age (2h).")
        String since;
        @Option(names = DeadLetterFilter.UNTIL, paramLabel = "TIME", description = "Dead-lettered before TIME.")
        String until;
        @Option(names = "--topic", paramLabel = "TOPIC", description = "Only dead letters from this original topic.")
        String topic;
        @Option(names = "--partition", paramLabel = "N", description = "Only this partition of the dead-letter topic.")
        Integer partition;

        DeadLetterFilter filter(InstantSource clock) {
            return new DeadLetterFilter(batch, reason == null ? null : DeadLetterFilter.parseReason(reason),
                    errorContains, since == null ? null : DeadLetterFilter.parseTime(since, DeadLetterFilter.SINCE, clock),
                    until == null ? null : DeadLetterFilter.parseTime(until, DeadLetterFilter.UNTIL, clock), topic,
                    partition);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Count dead letters by reason and by error type, then list them (oldest first per partition).")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;
        @Mixin
        FilterOptions filters;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
                description = "List at most N rows; the counts cover every match (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--json", description = "End with one JSON object: the counts and the rows.")
        boolean json;

        @Override
        public Integer call() {
            Logs.quiet();
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be >= 1, was " + limit);
            }
            DeadLetterFilter filter = filters.filter(InstantSource.system());
            DeadLetterReader letters = DeadLetterReader.of(kafka.settings());
            List<DeadLetter> found = letters.matching(filter);
            DeadLetterGroups groups = DeadLetterGroups.of(found);
            System.out.printf(Locale.ROOT, "%d dead letters on %s%s%n", found.size(), letters.topic(),
                    filter.equals(DeadLetterFilter.all()) ? "" : " match");
            printCounts("by reason", groups.byReason());
            printCounts("by error type", groups.byErrorType());
            List<DeadLetter> shown = found.subList(0, Math.min(limit, found.size()));
            if (!shown.isEmpty()) {
                System.out.printf(Locale.ROOT, "%-10s %-16s %6s %-18s %-28s %-3s %-20s %s%n", "P:OFFSET", "BATCH",
                        "INDEX", "REASON", "ERROR", "ATT", "TIME", "MESSAGE");
                shown.forEach(letter -> System.out.println(row(letter)));
            }
            if (found.size() > shown.size()) {
                System.out.printf(Locale.ROOT, "(%d more: --limit or narrower filters)%n", found.size() - shown.size());
            }
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("topic", letters.topic());
                out.put("total", groups.total());
                out.put("byReason", groups.byReason());
                out.put("byErrorType", groups.byErrorType());
                out.put("deadLetters", shown.stream().map(DlqCommand::summary).toList());
                out.put("more", found.size() - shown.size());
                System.out.println(Json.line(out));
            }
            return 0;
        }

        private static void printCounts(String title, Map<String, Long> counts) {
            if (!counts.isEmpty()) {
                System.out.println(title + ":");
                counts.forEach((name, count) -> System.out.printf(Locale.ROOT, "  %-60s %6d%n", name, count));
            }
        }

        private static String row(DeadLetter letter) {
            DeadLetterContext c = letter.context();
            return String.format(Locale.ROOT, "%-10s %-16s %6s %-18s %-28s %-3s %-20s %s",
                    letter.partition() + ":" + letter.offset(), dash(c.batchId()), dash(c.itemIndex()),
                    DeadLetterGroups.reasonOf(c), shortType(c.errorType()), dash(c.attempts()),
                    c.lastFailure().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    shorten(c.errorMessage() == null ? "-" : c.errorMessage().replace('\n', ' ')));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one dead letter, by its partition and offset on the dead-letter topic: its context,"
                    + " every header and the payload.")
    static final class ShowCommand implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;
        @Parameters(index = "0", paramLabel = "PARTITION:OFFSET")
        String at;
        @Option(names = "--json", description = "End with one JSON object: coordinates, context, headers, payload.")
        boolean json;

        @Override
        public Integer call() {
            Logs.quiet();
            String[] parts = at.split(":", -1);
            if (parts.length != 2 || !parts[0].matches("\\d{1,9}") || !parts[1].matches("\\d{1,18}")) {
                throw new IllegalArgumentException("PARTITION:OFFSET must be two whole numbers such as 0:42, was '"
                        + at + "'");
            }
            DeadLetterReader letters = DeadLetterReader.of(kafka.settings());
            DeadLetter letter = letters.find(Integer.parseInt(parts[0]), Long.parseLong(parts[1]))
                    .orElseThrow(() -> new CommandFailedException("no dead letter at " + letters.topic()
                            + " partition " + parts[0] + " offset " + parts[1] + " (fanout dlq list shows them)"));
            DeadLetterContext c = letter.context();
            System.out.println("dead letter " + letter.coordinates() + " at " + letter.timestamp() + " (written by "
                    + c.source().name().toLowerCase(Locale.ROOT) + ")");
            System.out.println("  original:  " + dash(c.originalTopic()) + " partition " + dash(c.originalPartition())
                    + " offset " + dash(c.originalOffset()));
            System.out.println("  reason:    " + DeadLetterGroups.reasonOf(c) + ", attempts " + dash(c.attempts()));
            System.out.println("  error:     " + dash(c.errorType()) + ": " + dash(c.errorMessage()));
            System.out.println("  item:      batch " + dash(c.batchId()) + " index " + dash(c.itemIndex()));
            System.out.println("  key:       " + text(letter.key()));
            System.out.println("headers:");
            List<Map<String, String>> headers = new ArrayList<>();
            letter.headers().forEach(header -> {
                String value = DeadLetterHeaders.display(header);
                headers.add(Map.of("name", header.key(), "value", value));
                System.out.println("  " + header.key() + ": " + value.stripTrailing().replace("\n", "\n      "));
            });
            System.out.println("payload (" + (letter.value() == null ? 0 : letter.value().length) + " bytes):");
            System.out.println("  " + text(letter.value()));
            if (json) {
                Map<String, Object> out = summary(letter);
                out.put("key", text(letter.key()));
                out.put("headers", headers);
                out.put("payload", payload(letter.value()));
                System.out.println(Json.line(out));
            }
            return 0;
        }

        /** The payload as JSON when it is JSON, else as text (or hex when not text). */
        private static Object payload(byte[] value) {
            if (value == null) {
                return null;
            }
            try {
                return Envelopes.mapper().readValue(value, JsonNode.class);
            } catch (java.io.IOException notJson) {
                return text(value);
            }
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Republish dead letters with their original key (in order) to their original topic or"
                    + " --to, with the job's attempt reset to 1 and a fanout.replay-of header. Each one replayed is"
                    + " recorded in a ledger topic, so running the same replay again sends nothing (unless --force).")
    static final class ReplayCommand implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;
        @Mixin
        FilterOptions filters;
        @Option(names = "--dry-run", description = "Count what would be replayed; send and record nothing.")
        boolean dryRun;
        @Option(names = ReplayOptions.LIMIT, paramLabel = "N", description = "Replay at most N dead letters.")
        Integer limit;
        @Option(names = ReplayOptions.RATE, paramLabel = "N/s", description = "At most N records per second (50/s,"
                + " 0.5/s, 120/m).")
        String rate;
        @Option(names = "--to", paramLabel = "TOPIC",
                description = "Replay to TOPIC instead of each dead letter's original topic.")
        String to;
        @Option(names = "--keep-headers",
                description = "Keep the dead-letter context headers (fanout.dlt.*, kafka_dlt-*, __connect.errors.*).")
        boolean keepHeaders;
        @Option(names = "--drop-header", paramLabel = "NAME", description = "Do not republish this header (repeatable).")
        List<String> dropHeaders = new ArrayList<>();
        @Option(names = "--force", description = "Replay dead letters the ledger says were replayed already.")
        boolean force;
        @Option(names = "--json", description = "End with one JSON object: the summary.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            Logs.quiet();
            ReplayOptions options = new ReplayOptions(filters.filter(InstantSource.system()), dryRun, limit,
                    rate == null ? null : ReplayOptions.parseRate(rate), to, keepHeaders,
                    new LinkedHashSet<>(dropHeaders), force);
            KafkaSettings settings = kafka.settings();
            AtomicLong done = new AtomicLong();
            AtomicLong total = new AtomicLong();
            LiveLine progress = dryRun ? null : new LiveLine(System.out, Terminal.isInteractive(),
                    Duration.ofMillis(200), Duration.ofSeconds(5), () -> bar(done.get(), total.get()),
                    "fanout-dlq-progress").start();
            ReplaySummary summary;
            try {
                summary = DeadLetterReplay.of(settings).run(options, (replayed, of) -> {
                    done.set(replayed);
                    total.set(of);
                });
            } catch (DeadLetterReplay.ReplayFailedException e) {
                throw new CommandFailedException(e.getMessage());
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            System.out.printf(Locale.ROOT, "%s %d dead letters from %s; skipped: %d already replayed (--force to"
                    + " repeat), %d by filter, %d over --limit, %d without an original topic (use --to); %d read%n",
                    summary.dryRun() ? "dry run: would replay" : "replayed", summary.replayed(),
                    settings.topics().deadLetters().name(), summary.alreadyReplayed(), summary.filteredOut(),
                    summary.overLimit(), summary.noTarget(), summary.scanned());
            if (json) {
                System.out.println(Json.line(summary));
            }
            return 0;
        }

        private static String bar(long done, long total) {
            if (total == 0) {
                return "replay: reading the dead letters and the ledger";
            }
            int width = 30;
            int filled = total == 0 ? 0 : (int) (width * done / total);
            return String.format(Locale.ROOT, "replaying [%s%s] %d/%d", "#".repeat(filled), ".".repeat(width - filled),
                    done, total);
        }
    }

    /** The context of a dead letter with its coordinates, for JSON. */
    static Map<String, Object> summary(DeadLetter letter) {
        DeadLetterContext c = letter.context();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("partition", letter.partition());
        out.put("offset", letter.offset());
        out.put("timestamp", letter.timestamp().toString());
        out.put("source", c.source().name());
        out.put("batchId", c.batchId());
        out.put("index", c.itemIndex());
        out.put("reason", c.reason());
        out.put("errorType", c.errorType());
        out.put("errorMessage", c.errorMessage());
        out.put("attempts", c.attempts());
        out.put("originalTopic", c.originalTopic());
        out.put("originalPartition", c.originalPartition());
        out.put("originalOffset", c.originalOffset());
        return out;
    }

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }

    private static String shortType(String type) {
        if (type == null) {
            return "-";
        }
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return simple.length() <= 28 ? simple : simple.substring(0, 27) + "…";
    }

    private static String shorten(String text) {
        return text.length() <= TEXT_CHARS ? text : text.substring(0, TEXT_CHARS - 1) + "…";
    }

    private static String text(byte[] bytes) {
        if (bytes == null) {
            return "(null)";
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean printable = !text.contains("\uFFFD") && text.codePoints()
                .allMatch(c -> c == '\n' || c == '\t' || c == '\r' || !Character.isISOControl(c));
        return printable ? text : "0x" + java.util.HexFormat.of().formatHex(bytes);
    }
}
