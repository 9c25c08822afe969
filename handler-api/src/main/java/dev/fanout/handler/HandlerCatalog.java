package dev.fanout.handler;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;

/** The handler types on the classpath, found with {@link ServiceLoader}. */
public final class HandlerCatalog {

    private final SortedMap<String, ItemHandlerProvider> providers;

    private HandlerCatalog(SortedMap<String, ItemHandlerProvider> providers) {
        this.providers = Collections.unmodifiableSortedMap(providers);
    }

    /** Every provider visible to this class's class loader. Two providers with one name are an error. */
    public static HandlerCatalog load() {
        return of(ServiceLoader.load(ItemHandlerProvider.class, HandlerCatalog.class.getClassLoader()));
    }

    public static HandlerCatalog of(Iterable<? extends ItemHandlerProvider> found) {
        SortedMap<String, ItemHandlerProvider> providers = new TreeMap<>();
        for (ItemHandlerProvider provider : found) {
            ItemHandlerProvider clash = providers.putIfAbsent(provider.name(), provider);
            if (clash != null) {
                throw new IllegalStateException("two handler providers are named '" + provider.name() + "': "
                        + clash.getClass().getName() + " and " + provider.getClass().getName()
                        + "; remove one jar from the classpath");
            }
        }
        return new HandlerCatalog(providers);
    }

    public Optional<ItemHandlerProvider> find(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public boolean contains(String name) {
        return providers.containsKey(name);
    }

    /** The known names, sorted. */
    public java.util.Set<String> names() {
        return providers.keySet();
    }

    public Map<String, ItemHandlerProvider> asMap() {
        return providers;
    }
}
