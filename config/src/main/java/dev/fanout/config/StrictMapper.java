package dev.fanout.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.fanout.protocol.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads user-written YAML or JSON (configuration, batch files) into immutable values, strictly: unknown fields,
 * wrong types and rule violations fail with a {@link ConfigException} naming the file, the field and the fix.
 * Durations may be written as {@code 30s}, {@code 5m}, {@code 250ms} or ISO-8601.
 */
public final class StrictMapper {

    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());
    private static final ObjectMapper YAML = configure(new YAMLMapper(new YAMLFactory()));

    private StrictMapper() {
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .registerModule(Durations.jacksonModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    /** The mapper for a file name: YAML for {@code .yaml}/{@code .yml}, JSON otherwise. */
    public static ObjectMapper forFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /** Reads a whole file as a tree, with a clear error for a missing or malformed file. */
    public static JsonNode readTree(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode tree = forFile(file).readTree(in);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigException(file + ": the file is empty");
            }
            return tree;
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": " + JsonErrors.describe(e, ""), e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Maps a tree to a type.
     *
     * @param where  what is being read, for messages (a file name, {@code "line 12"})
     * @param prefix the tree's path inside the document, for messages (e.g. {@code "policy"}), or empty
     */
    public static <T> T convert(JsonNode tree, Class<T> type, String where, String prefix) {
        try {
            return JSON.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": " + JsonErrors.describe(e, prefix), e);
        } catch (IllegalArgumentException | ConfigException e) {
            throw new ConfigException(where + ": " + e.getMessage(), e);
        }
    }
}
