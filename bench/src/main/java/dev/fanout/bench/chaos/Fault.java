package dev.fanout.bench.chaos;

import dev.fanout.bench.ChildProcesses;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The faults of {@code scripts/chaos}, each injected while a batch runs ({@link FaultRun}). Each names the reruns the
 * guarantees allow for it ({@link #rerunBound}): handler calls beyond one per item, counted at the downstream.
 */
enum Fault {

    BROKER_KILL("kill -9 one broker node; the broker command starts it again", 20) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.25);
            run.stack().hurtNode(2, true);
        }

        @Override
        long rerunBound(FaultRun run) {
            return run.stack().workerCount() * run.perWorkerBound(); // a worker may lose its partitions undrained
        }
    },
    BROKER_BOUNCE("a clean bounce (SIGTERM) of each broker node in turn", 45) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.1);
            for (int node = 1; node <= 3; node++) {
                run.stack().hurtNode(node, false);
            }
        }

        @Override
        long rerunBound(FaultRun run) {
            return run.stack().workerCount() * run.perWorkerBound();
        }
    },
    AGGREGATOR_KILL("kill -9 one of two aggregators, then the only one left; start both again", 30) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.2);
            run.stack().aggregator(0).kill();
            run.awaitFraction(0.45);
            run.stack().aggregator(1).kill();
            run.awaitFraction(0.6);
            run.stack().startAggregator(0);
            run.stack().startAggregator(1);
            run.stack().aggregator(0).awaitLine("aggregator .* running", ChaosStack.START);
            run.stack().aggregator(1).awaitLine("aggregator .* running", ChaosStack.START);
        }

        @Override
        long rerunBound(FaultRun run) {
            return 0; // the aggregator calls no handler: its crash must not make a worker run anything twice
        }
    },
    WORKER_KILL("kill -9 a worker, twice, while the others run; each is started again", 30) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.2);
            run.stack().worker(0).kill();
            run.awaitFraction(0.4);
            run.stack().startWorker(0);
            run.awaitFraction(0.55);
            run.stack().worker(1).kill();
            run.awaitFraction(0.75);
            run.stack().startWorker(1);
        }

        @Override
        long rerunBound(FaultRun run) {
            return 2 * run.perWorkerBound();
        }
    },
    REBALANCE("5 rebalance cycles: a worker joins, takes partitions, and leaves (SIGTERM)", 60) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.05);
            for (int cycle = 1; cycle <= 5; cycle++) {
                ChildProcesses.Child extra = run.stack().startExtraWorker("chaos-extra");
                extra.awaitLine("owns \\d+ partitions", ChaosStack.START);
                extra.stop(Duration.ofSeconds(60));
            }
        }

        @Override
        long rerunBound(FaultRun run) {
            return 0; // a clean leave drains and commits before it hands a partition over
        }
    },
    DISPATCHER_KILL("kill -9 the dispatcher mid-publish, then fanout dispatch --resume", 20) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.3);
            run.killDispatchAndResume();
        }

        @Override
        long rerunBound(FaultRun run) {
            return run.republishable(); // published before the kill, without a result when the resume began
        }
    },
    KILL_EACH("kill -9 a broker node, an aggregator and a worker, one after the other, in one batch", 30) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.2);
            run.stack().hurtNode(3, true);
            run.awaitFraction(0.4);
            run.stack().aggregator(0).kill(); // the other one takes its tasks over
            run.awaitFraction(0.6);
            run.stack().worker(0).kill(); // started again once the batch is decided
        }

        @Override
        long rerunBound(FaultRun run) {
            return (run.stack().workerCount() + 1L) * run.perWorkerBound();
        }
    },
    WORKER_PAUSE("a network pause of a worker: SIGSTOP beyond the session timeout, then SIGCONT (a zombie)", 40) {
        @Override
        void inject(FaultRun run) throws Exception {
            run.awaitFraction(0.15);
            ChildProcesses.Child zombie = run.stack().worker(0);
            ChildProcesses.Child other = run.stack().worker(1);
            int owns = other.count(OWNS_ANY);
            int zombieOwns = zombie.count(OWNS_SOME);
            ChaosStack.signal(zombie, "STOP");
            other.awaitLine(OWNS_ANY, owns + 1, ChaosStack.START); // the group gave the zombie's partitions away
            ChaosStack.signal(zombie, "CONT");
            // back in the group with partitions again: by then it has published what it finished late
            run.afterDecision(() -> zombie.awaitLine(OWNS_SOME, zombieOwns + 1, ChaosStack.START));
        }

        @Override
        long rerunBound(FaultRun run) {
            return run.perWorkerBound();
        }
    };

    private static final String OWNS_ANY = "owns \\d+ partitions";
    private static final String OWNS_SOME = "owns [1-9]\\d* partitions";

    private final String description;
    private final int seconds;

    Fault(String description, int seconds) {
        this.description = description;
        this.seconds = seconds;
    }

    /** The name on the command line and in the report: {@code broker-kill}. */
    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    String description() {
        return description;
    }

    /** How long the batch should run at least, so the fault lands while it runs (it sets the dispatch's pace). */
    int seconds() {
        return seconds;
    }

    abstract void inject(FaultRun run) throws Exception;

    abstract long rerunBound(FaultRun run);

    static Fault of(String id) {
        return Arrays.stream(values()).filter(fault -> fault.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("--faults: unknown fault '" + id + "'; known: " + ids()));
    }

    static List<String> ids() {
        return Arrays.stream(values()).map(Fault::id).toList();
    }
}
