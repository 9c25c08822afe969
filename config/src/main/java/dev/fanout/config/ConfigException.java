package dev.fanout.config;

/**
 * Invalid configuration or input: the message names the setting, the bad value and the fix. Thrown at start-up or
 * before anything is published, never half-way.
 */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
