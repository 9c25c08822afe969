package dev.fanout.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Kafka client properties from where Kafka's own tools take them: a properties file ({@code --command-config}, as
 * {@code kafka-topics.sh} takes it) and {@code FANOUT_KAFKA_*} environment variables
 * ({@code FANOUT_KAFKA_SECURITY_PROTOCOL=SASL_SSL} is {@code security.protocol=SASL_SSL}). Values that look like
 * secrets are shown as {@value #HIDDEN} wherever Fanout prints them.
 */
public final class KafkaClientProperties {

    /** The prefix of the environment variables that set client properties. */
    public static final String ENV_PREFIX = "FANOUT_KAFKA_";
    /** What a secret reads as in logs, errors and answers. */
    public static final String HIDDEN = "[hidden]";

    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|secret|jaas|token|credential|\\.key$|keystore\\.key|truststore\\.certificates"
                    + "|keystore\\.certificate\\.chain).*");

    private KafkaClientProperties() {
    }

    /**
     * Reads a Kafka client properties file.
     *
     * @throws ConfigException naming the file when it cannot be read
     */
    public static Map<String, String> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--command-config " + file + " is not a file; give a Kafka client properties"
                    + " file (security.protocol=SASL_SSL, sasl.mechanism=..., ...)");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--command-config " + file + " cannot be read as a properties file: "
                    + e.getMessage(), e);
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name.trim(), properties.getProperty(name).trim()));
        return map;
    }

    /** The client properties the {@code FANOUT_KAFKA_*} variables of {@code environment} set. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> map = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                map.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return map;
    }

    /** Whether a property holds a secret (a password, a JAAS config, a key, a token). */
    public static boolean isSecret(String name) {
        return SECRET.matcher(name).matches();
    }

    /** The properties with every secret's value replaced by {@value #HIDDEN}, sorted by name. */
    public static Map<String, String> redacted(Map<String, ?> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((name, value) -> shown.put(name, isSecret(name) ? HIDDEN : String.valueOf(value)));
        return shown;
    }

    /** {@code text} with every secret value of {@code properties} in it replaced by {@value #HIDDEN}. */
    public static String scrub(String text, Map<String, ?> properties) {
        String scrubbed = text;
        for (Map.Entry<String, ?> entry : properties.entrySet()) {
            String value = String.valueOf(entry.getValue());
            if (isSecret(entry.getKey()) && value.length() >= 4) {
                scrubbed = scrubbed.replace(value, HIDDEN);
            }
        }
        return scrubbed;
    }
}
