package dev.fanout.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.util.Locale;

/**
 * The JSON codec of every envelope. Values are UTF-8 JSON objects with a {@code schemaVersion}; decoding is strict
 * (unknown fields, wrong types and missing identity fields are errors) and fails with a {@link PoisonRecordException}
 * whose message names the field.
 */
public final class Envelopes {

    /** The schema version this build writes and reads. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // generated accessors instead of reflection: every job is decoded and every result encoded with this
            .addModule(new BlackbirdModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Envelopes() {
    }

    /** The shared, configured mapper (thread-safe; do not reconfigure). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Builds the mapper's serializer and deserializer of each type now instead of at its first record. In a JVM that
     * has just started, building them (with their generated accessors) took a third of the aggregator's time on its
     * first batch; a service calls this on a thread of its own as it starts. Safe to call from any thread, any time.
     */
    public static void prepare(Class<?>... types) {
        for (Class<?> type : types) {
            MAPPER.writerFor(type); // with EAGER_SERIALIZER_FETCH (the default) this builds and caches the serializer
            MAPPER.readerFor(type); // and EAGER_DESERIALIZER_FETCH the deserializer
        }
    }

    public static byte[] encode(Object envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + envelope.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes an envelope, checking its schema version first.
     *
     * @throws PoisonRecordException with reason {@code POISON} naming what is wrong
     */
    public static <T> T decode(byte[] bytes, Class<T> type) {
        if (bytes == null || bytes.length == 0) {
            throw new PoisonRecordException(FailureReason.POISON, "the record has no value (null or empty)");
        }
        if (Versioned.class.isAssignableFrom(type)) {
            // the common case in one parse; anything wrong is re-read below for a message that names the problem
            try {
                T value = MAPPER.readValue(bytes, type);
                if (value != null && ((Versioned) value).schemaVersion() == SCHEMA_VERSION) {
                    return value;
                }
            } catch (IOException | IllegalArgumentException wrong) {
                // fall through to the precise path
            }
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new PoisonRecordException(FailureReason.POISON, JsonErrors.describe(e, ""), e);
        } catch (IOException e) {
            // the bytes are not text in any encoding JSON allows (e.g. a UTF-32 code point above U+10FFFF)
            throw new PoisonRecordException(FailureReason.POISON, "the value is not UTF-8 (or UTF-16/32) text: "
                    + e.getMessage(), e);
        }
        if (!tree.isObject()) {
            throw new PoisonRecordException(FailureReason.POISON,
                    "the value must be a JSON object, was " + tree.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        JsonNode version = tree.get("schemaVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new PoisonRecordException(FailureReason.POISON,
                    "field 'schemaVersion' is missing or not a whole number; this build reads version " + SCHEMA_VERSION);
        }
        if (version.intValue() != SCHEMA_VERSION) {
            throw new PoisonRecordException(FailureReason.POISON, "schemaVersion " + version.intValue()
                    + " is not supported (this build reads " + SCHEMA_VERSION + "); upgrade the reader or re-publish");
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new PoisonRecordException(FailureReason.POISON, JsonErrors.describe(e, ""), e);
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException(FailureReason.POISON, e.getMessage(), e);
        }
    }

    /** A Kafka serializer for any envelope. */
    public static <T> Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : encode(value);
    }

    /** A Kafka deserializer that throws {@link PoisonRecordException} for an invalid envelope. */
    public static <T> Deserializer<T> deserializer(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return (topic, bytes) -> bytes == null ? null : decode(bytes, type);
    }

    /** An envelope with a schema version: decoded in one parse when it is valid. */
    public interface Versioned {
        int schemaVersion();
    }

    /** Checks a required text field of an envelope: present and not blank. */
    static String require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' is required and must not be blank");
        }
        return value;
    }
}
