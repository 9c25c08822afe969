package dev.fanout.worker;

import dev.fanout.config.ConfigException;
import dev.fanout.handler.HandlerCatalog;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.worker.internal.GroupRateLimiter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The handlers one worker offers, by the name jobs use, each with the named bulkhead and rate limiter its items go
 * through. Built once at start-up from the configuration and the handler types on the classpath; every error (an
 * unknown type, settings a handler refuses) names the handler and the setting.
 */
public final class HandlerRegistry {

    /** A handler as offered under one name, with its limits (either may be absent), timeout and retries. */
    public record Entry(String name, String type, ItemHandler handler, Bulkhead bulkhead,
            GroupRateLimiter rateLimiter, HandlerSpec spec) {
    }

    private final Map<String, Entry> entries;
    private final Map<String, GroupRateLimiter> rateLimiters;

    private HandlerRegistry(Map<String, Entry> entries, Map<String, GroupRateLimiter> rateLimiters) {
        this.entries = Map.copyOf(entries);
        this.rateLimiters = Map.copyOf(rateLimiters);
    }

    /**
     * Creates the handlers: every type of the catalog that is offered by default, under its own name, and every
     * handler configured under {@code handlers} (which may reuse or replace those names).
     *
     * @param clock the worker's clock, which the rate limiters follow
     * @throws ConfigException naming the handler and the setting
     */
    public static HandlerRegistry create(HandlerCatalog catalog, WorkerConfig config, InstantSource clock) {
        Map<String, Bulkhead> bulkheads = new TreeMap<>();
        config.bulkheads().forEach((name, spec) -> bulkheads.put(name, Bulkhead.of("bulkhead-" + name,
                BulkheadConfig.custom().maxConcurrentCalls(spec.maxConcurrent())
                        .maxWaitDuration(Duration.ofDays(365)).build())));
        Map<String, GroupRateLimiter> limiters = new TreeMap<>();
        config.rateLimiters().forEach((name, spec) -> limiters.put(name, new GroupRateLimiter(name, spec, clock)));

        Map<String, Entry> entries = new TreeMap<>();
        for (ItemHandlerProvider provider : catalog.asMap().values()) {
            if (provider.offeredByDefault() && !config.handlers().containsKey(provider.name())) {
                entries.put(provider.name(), create(provider, provider.name(), HandlerSpec.of(null), null, null));
            }
        }
        for (Map.Entry<String, HandlerSpec> configured : new TreeMap<>(config.handlers()).entrySet()) {
            String name = configured.getKey();
            HandlerSpec spec = configured.getValue();
            ItemHandlerProvider provider = catalog.find(spec.typeOr(name)).orElseThrow(() -> new ConfigException(
                    "worker.handlers." + name + ": unknown handler type '" + spec.typeOr(name) + "'; known types: "
                            + String.join(", ", catalog.names()) + " (put a custom handler's jar on the classpath)"));
            entries.put(name, create(provider, name, spec,
                    spec.bulkhead() == null ? null : bulkheads.get(spec.bulkhead()),
                    spec.rateLimiter() == null ? null : limiters.get(spec.rateLimiter())));
        }
        return new HandlerRegistry(entries, limiters);
    }

    private static Entry create(ItemHandlerProvider provider, String name, HandlerSpec spec, Bulkhead bulkhead,
            GroupRateLimiter limiter) {
        try {
            return new Entry(name, provider.name(), provider.create(spec.settings()), bulkhead, limiter, spec);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("worker.handlers." + name + ": " + e.getMessage(), e);
        }
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** Every handler offered, by name. */
    public Collection<Entry> entries() {
        return new TreeMap<>(entries).values();
    }

    /** The names jobs can use, sorted. */
    public Set<String> names() {
        return new TreeSet<>(entries.keySet());
    }

    /** The group-wide rate limiters, to re-share on every rebalance. */
    public Collection<GroupRateLimiter> rateLimiters() {
        return rateLimiters.values();
    }
}
