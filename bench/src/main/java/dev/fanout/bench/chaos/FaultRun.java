package dev.fanout.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.bench.ChildProcesses;
import dev.fanout.bench.TopicSlice;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.Lane;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One fault during one batch: dispatches {@code items} items ({@code fanout dispatch --wait}, paced to last the
 * fault's {@link Fault#seconds()}), injects the fault as the batch runs, waits for the decision, brings every
 * service back, and judges the outcome with {@code fanout verify} and the reruns the downstream counted.
 */
final class FaultRun {

    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(3);

    /** What must happen after the decision before the verdict (a zombie worker rejoining, say). */
    interface Step {
        void run() throws Exception;
    }

    private final ChaosStack stack;
    private final Fault fault;
    private final String batchId;
    private final long items;
    private final int concurrency;
    private final double pace;
    private final Path spec;
    private final Path itemsFile;
    private final List<Step> afterDecision = new ArrayList<>();
    private BatchWatch watch;
    private TopicSlice jobs;
    private ChildProcesses.Child dispatch;
    private long republishable;
    private long finishedAtInjection;
    private int dispatches;
    private long started;

    private FaultRun(ChaosStack stack, Fault fault, String batchId, long items, int concurrency, double pace) {
        this.stack = stack;
        this.pace = pace;
        this.fault = fault;
        this.batchId = batchId;
        this.items = items;
        this.concurrency = concurrency;
        this.spec = stack.processes().dir().resolve(batchId + ".yaml");
        this.itemsFile = stack.processes().dir().resolve(batchId + ".jsonl");
    }

    /** Runs the fault during a batch of {@code items} and returns the verdict. */
    static Outcome run(ChaosStack stack, Fault fault, String batchId, long items, int concurrency, double pace)
            throws Exception {
        return new FaultRun(stack, fault, batchId, items, concurrency, pace).run();
    }

    private Outcome run() throws Exception {
        started = System.nanoTime();
        writeBatch();
        jobs = TopicSlice.mark(stack.kafka(), stack.kafka().topics().jobs(Lane.NORMAL).name());
        try (BatchWatch batch = new BatchWatch(stack.kafka(), batchId)) {
            watch = batch;
            dispatch = startDispatch(false);
            note("dispatching " + items + " items of " + batchId);
            fault.inject(this);
            finishedAtInjection = watch.finished();
            note("fault injected with " + finishedAtInjection + " items finished; waiting for the decision");
            int exit = dispatch.awaitExit(BATCH_TIMEOUT);
            String decision = decisionStatus(dispatch, exit);
            note("decided " + decision);
            for (Step step : afterDecision) {
                step.run();
            }
            restoreServices();
            note("every service runs again; verifying");
            JsonNode verdict = verify();
            note("verified");
            long reruns = stack.downstream().reruns(batchId);
            long bound = fault.rerunBound(this);
            return new Outcome(fault, batchId, items, verdict.path("accounted").asBoolean(),
                    verdict.path("summary").asText(), reruns, bound, decision, finishedAtInjection,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }

    ChaosStack stack() {
        return stack;
    }

    /** Waits until this share of the batch's items has a result, failing if the dispatch ends first. */
    void awaitFraction(double share) {
        long target = (long) Math.ceil(items * share);
        watch.awaitFinished(target, BATCH_TIMEOUT, () -> {
            if (!dispatch.isAlive() && watch.finished() < target) {
                throw new IllegalStateException("the dispatch of " + batchId + " ended before " + target
                        + " items finished; its output:\n" + dispatch.output());
            }
        });
        note(Math.round(share * 100) + " % of the items finished");
    }

    /** Prints a step of the run with the seconds since it began, so a slow phase shows where it is. */
    void note(String step) {
        System.out.printf(Locale.ROOT, "chaos:   %s +%.1f s: %s%n", fault.id(),
                (System.nanoTime() - started) / 1e9, step);
    }

    /**
     * The reruns one worker's death allows: what it had fetched and not committed, at most {@code maxBuffered}
     * (the worker's default, 2,000, or four times its concurrency) plus one poll ({@code max.poll.records}, 500).
     */
    long perWorkerBound() {
        long maxBuffered = Math.max(2_000, 4L * concurrency);
        return maxBuffered + Math.min(500, maxBuffered);
    }

    void afterDecision(Step step) {
        afterDecision.add(step);
    }

    /** SIGKILL to the dispatch, then {@code fanout dispatch --resume} of the same batch. */
    void killDispatchAndResume() {
        dispatch.kill();
        long published = jobs.added();
        long finished = watch.finished();
        republishable = Math.max(0, published - finished);
        dispatch = startDispatch(true);
    }

    /** Items published before the dispatcher was killed that had no result when the resume began. */
    long republishable() {
        return republishable;
    }

    private void writeBatch() throws IOException {
        long rate = Math.max(100, Math.round(items / (fault.seconds() * pace)));
        Files.writeString(spec, String.join("\n",
                "batchId: " + batchId,
                "handler: " + ChaosStack.HANDLER,
                "rateLimit: " + rate,
                "policy: {strategy: wait_all, minSuccessRate: 0.5, onPartialFailure: continue}",
                ""), StandardCharsets.UTF_8);
        try (BufferedWriter out = Files.newBufferedWriter(itemsFile, StandardCharsets.UTF_8)) {
            for (long i = 0; i < items; i++) {
                out.write("{\"n\":" + i + "}\n");
            }
        }
    }

    private ChildProcesses.Child startDispatch(boolean resume) {
        List<String> args = new ArrayList<>(List.of("dispatch", spec.toString(), "--items", itemsFile.toString(),
                "--bootstrap-servers", stack.servers(), "--wait", "--json", "--timeout", "10m"));
        if (resume) {
            args.add("--resume");
        }
        return stack.processes().fanout("dispatch-" + batchId + "-" + (++dispatches), Map.of(),
                args.toArray(String[]::new));
    }

    private static String decisionStatus(ChildProcesses.Child dispatch, int exit) {
        String json = lastJson(dispatch.output());
        if (json == null) {
            throw new IllegalStateException("the dispatch ended (exit " + exit + ") without a decision; its output:\n"
                    + dispatch.output());
        }
        try {
            return Envelopes.mapper().readTree(json).path("status").asText();
        } catch (IOException e) {
            throw new IllegalStateException("the dispatch printed no readable decision: " + json, e);
        }
    }

    /**
     * Starts again every worker and aggregator that is not running, all at once (their start-ups overlap), then waits
     * until each worker owns partitions and each aggregator runs.
     */
    private void restoreServices() throws InterruptedException {
        for (int i = 0; i < stack.workerCount(); i++) {
            if (!stack.worker(i).isAlive()) {
                stack.startWorker(i);
            }
        }
        for (int i = 0; i < stack.aggregatorCount(); i++) {
            if (!stack.aggregator(i).isAlive()) {
                stack.startAggregator(i);
            }
        }
        for (int i = 0; i < stack.workerCount(); i++) {
            stack.worker(i).awaitLine("owns \\d+ partitions", ChaosStack.START);
        }
        for (int i = 0; i < stack.aggregatorCount(); i++) {
            stack.aggregator(i).awaitLine("aggregator .* running", ChaosStack.START);
        }
    }

    private JsonNode verify() throws IOException {
        ChildProcesses.Child verify = stack.processes().fanout("verify-" + batchId, Map.of(), "verify", batchId,
                "--bootstrap-servers", stack.servers(), "--json");
        int exit = verify.awaitExit(VERIFY_TIMEOUT);
        String json = lastJson(verify.output());
        if (json == null) {
            throw new IllegalStateException("fanout verify ended (exit " + exit + ") without a report; its output:\n"
                    + verify.output());
        }
        return Envelopes.mapper().readTree(json);
    }

    private static String lastJson(String output) {
        List<String> lines = output.lines().filter(line -> line.startsWith("{")).toList();
        return lines.isEmpty() ? null : lines.getLast();
    }

    /**
     * One fault's verdict: {@code ALL-ITEMS-ACCOUNTED} only when {@code fanout verify} accounted for every item and
     * the reruns stayed within the fault's bound.
     */
    record Outcome(Fault fault, String batchId, long items, boolean accounted, String summary, long reruns,
            long bound, String decision, long finishedAtInjection, Duration took) {

        boolean passed() {
            return accounted && reruns <= bound;
        }

        String line() {
            String verdict = passed() ? "ALL-ITEMS-ACCOUNTED" : "NOT-ACCOUNTED";
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "chaos %-16s %s reruns %d (bound %d) decision %s in %d s", fault.id(), verdict, reruns, bound,
                    decision, took.toSeconds()));
            if (!accounted) {
                line.append(" | ").append(summary);
            } else if (reruns > bound) {
                line.append(" | reruns exceed the bound");
            }
            return line.toString();
        }
    }
}
