package dev.fanout.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * A topic of the contract: its name, the record value type, and how it must be created.
 *
 * @param name         full topic name, prefix included
 * @param valueType    the value's Java type ({@code byte[]} where the value is raw bytes)
 * @param partitions   partitions to create it with
 * @param topicConfigs topic-level configs to create it with (e.g. {@code cleanup.policy=compact})
 * @param <V> the value type
 */
public record TopicDescriptor<V>(String name, Class<V> valueType, int partitions, Map<String, String> topicConfigs) {

    public TopicDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + name + " must be >= 1, was " + partitions);
        }
        topicConfigs = Map.copyOf(topicConfigs);
    }

    @Override
    public String toString() {
        return name;
    }
}
