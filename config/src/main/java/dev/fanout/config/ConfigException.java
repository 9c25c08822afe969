package dev.fanout.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Invalid configuration or input: the message names the setting, the bad value and the fix. Thrown at start-up or
 * before anything is published, never half-way. One made by {@link #of} remembers its property, so a caller that
 * knows the name the user typed (a flag) can restate it in those terms ({@link #renamed}).
 */
public class ConfigException extends RuntimeException {

    private final String property;
    private final String rule;

    public ConfigException(String message) {
        this(message, null, null, null);
    }

    public ConfigException(String message, Throwable cause) {
        this(message, cause, null, null);
    }

    private ConfigException(String message, Throwable cause, String property, String rule) {
        super(message, cause);
        this.property = property;
        this.rule = rule;
    }

    /**
     * An error about one property: the message is {@code scope + property + rule}, e.g. {@code aggregator.} +
     * {@code httpPort} + {@code  must be a port, was 70000}.
     */
    public static ConfigException of(String scope, String property, String rule) {
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(rule, "rule");
        return new ConfigException(scope + property + rule, null, property, rule);
    }

    /** The property this error is about, when it was made by {@link #of}. */
    public Optional<String> property() {
        return Optional.ofNullable(property);
    }

    /** The same error naming the property as {@code name} (e.g. {@code --http-port}); itself when it names none. */
    public ConfigException renamed(String name) {
        if (property == null) {
            return this;
        }
        ConfigException renamed = new ConfigException(name + rule, getCause(), property, rule);
        renamed.setStackTrace(getStackTrace());
        return renamed;
    }
}
