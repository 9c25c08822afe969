package dev.fanout.worker;

import dev.fanout.ops.BucketHistogram;
import dev.fanout.ops.MetricNames;
import dev.fanout.protocol.FailureReason;
import dev.fanout.worker.internal.SlotUsage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.Objects;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;

/**
 * A worker's Dropwizard metrics, named {@code worker.<workerId>.<metric>} so several workers can share one registry;
 * per-handler and per-reason metrics add their label as a name segment ({@code worker.w1.handler.users.failed.timeout}),
 * as {@link MetricNames} maps them to Prometheus labels.
 */
public final class WorkerMetrics {

    private final String prefix;
    private final Meter started;
    private final Meter succeeded;
    private final Meter failed;
    private final Counter deadLetters;
    private final Counter poison;
    private final Counter cancelled;
    private final Counter abandoned;
    private final Counter continued;
    private final Counter retriesDeferred;
    private final Counter retriesHandedOff;
    private final Counter retriesReleased;
    private final Counter parked;
    private final Counter outputInvalid;
    private final Timer latency;
    private final SlotUsage slots = SlotUsage.system();
    private final MetricRegistry registry;
    private final Map<String, Meter> handlerMeters = new ConcurrentHashMap<>();
    private final Map<String, Timer> handlerTimers = new ConcurrentHashMap<>();
    private final Map<String, BucketHistogram> handlerDurations = new ConcurrentHashMap<>();
    private final Map<FailureReason, Counter> deadLettersByReason = new ConcurrentHashMap<>();

    public WorkerMetrics(MetricRegistry registry, String workerId) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.prefix = MetricRegistry.name("worker", workerId);
        this.started = registry.meter(name("items.started"));
        this.succeeded = registry.meter(name("items.succeeded"));
        this.failed = registry.meter(name("items.failed"));
        this.deadLetters = registry.counter(name("dead-letters"));
        this.poison = registry.counter(name("poison"));
        this.cancelled = registry.counter(name("items.cancelled"));
        this.abandoned = registry.counter(name("items.abandoned"));
        this.continued = registry.counter(name("items.continued"));
        this.retriesDeferred = registry.counter(name("retries.deferred"));
        this.retriesHandedOff = registry.counter(name("retries.handed-off"));
        this.retriesReleased = registry.counter(name("retries.released"));
        this.parked = registry.counter(name("items.parked"));
        retriesIn("memory"); // exported from the start, so dashboards find the series before the first retry
        this.outputInvalid = registry.counter(name("items.output-invalid"));
        // lock-free: every item updates it, from many virtual threads at once
        this.latency = registry.timer(name("item.latency"),
                () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build()));
    }

    /** Busy slot time of the worker's bulkhead, for utilisation. */
    public SlotUsage slots() {
        return slots;
    }

    /** The full name of one of this worker's metrics, e.g. {@code worker.w1.items.succeeded}. */
    public String name(String metric) {
        return MetricRegistry.name(prefix, metric);
    }

    public Meter started() {
        return started;
    }

    public Meter succeeded() {
        return succeeded;
    }

    public Meter failed() {
        return failed;
    }

    public Counter deadLetters() {
        return deadLetters;
    }

    public Counter poison() {
        return poison;
    }

    /** Items of cancelled batches recorded CANCELLED without running. */
    public Counter cancelled() {
        return cancelled;
    }

    /** Handlers still running after their timeout released the item's slot (they ignored interruption). */
    public Counter abandoned() {
        return abandoned;
    }

    /** Timed-out items whose handler was left to finish ({@code onTimeout: continue}). */
    public Counter continued() {
        return continued;
    }

    /** Next attempts sent to a retry tier because their wait was too long to hold in the worker. */
    public Counter retriesDeferred() {
        return retriesDeferred;
    }

    /** Next attempts sent to a retry tier because the worker gave up their partition while they waited. */
    public Counter retriesHandedOff() {
        return retriesHandedOff;
    }

    /** Share-lane records released to the broker after a short wait: their redelivery is the next attempt. */
    public Counter retriesReleased() {
        return retriesReleased;
    }

    /**
     * Next attempts by where they wait: {@code memory} (in the worker, for waits shorter than the shortest
     * tier), or the retry tier's name ({@code 10s}, {@code 1m}, {@code 10m}).
     */
    public Counter retriesIn(String tier) {
        return registry.counter(name("retry-tier." + tier));
    }

    /** Items of paused batches sent to the parking topic. */
    public Counter parked() {
        return parked;
    }

    /** Attempts whose output failed the batch's output schema. */
    public Counter outputInvalid() {
        return outputInvalid;
    }

    public Timer latency() {
        return latency;
    }

    /** An item of {@code handler} succeeded (also counted in {@link #succeeded()} by the caller). */
    public void handlerSucceeded(String handler) {
        handlerMeters.computeIfAbsent(handler + "|ok", key -> registry.meter(name("handler."
                + MetricNames.segment(handler) + ".succeeded"))).mark();
    }

    /** An item of {@code handler} ended in failure for {@code reason}. */
    public void handlerFailed(String handler, FailureReason reason) {
        handlerMeters.computeIfAbsent(handler + "|" + reason, key -> registry.meter(name("handler."
                + MetricNames.segment(handler) + ".failed." + MetricNames.labelValue(reason.name())))).mark();
    }

    /** The time one attempt of {@code handler} ran. */
    public Timer handlerLatency(String handler) {
        return handlerTimers.computeIfAbsent(handler, key -> registry.timer(name("handler."
                + MetricNames.segment(handler) + ".latency"),
                () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build())));
    }

    /**
     * The time one attempt of {@code handler} ran, in buckets of {@link BucketHistogram#SECONDS}
     * ({@code fanout_worker_handler_duration_seconds}, which adds up across workers).
     */
    public BucketHistogram handlerDuration(String handler) {
        return handlerDurations.computeIfAbsent(handler, key -> BucketHistogram.in(registry, name("handler."
                + MetricNames.segment(handler) + ".duration"), BucketHistogram.SECONDS));
    }

    /** One attempt of {@code handler} ran this long: updates {@link #handlerLatency} and {@link #handlerDuration}. */
    public void handlerRan(String handler, Duration duration) {
        handlerLatency(handler).update(duration);
        handlerDuration(handler).update(duration.toNanos() / 1e9);
    }

    /** A dead letter was published for {@code reason} (also counted in {@link #deadLetters()}). */
    public void deadLettered(FailureReason reason) {
        deadLetters.inc();
        deadLettersByReason.computeIfAbsent(reason, key -> registry.counter(name("dead-letters."
                + MetricNames.labelValue(reason.name())))).inc();
    }
}
