package dev.fanout.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.SchemaLocation;
import java.util.Locale;

/**
 * A batch's {@code outputSchema}, compiled: a JSON Schema (draft 2020-12 unless the schema names another with
 * {@code $schema}) that every item output must match. The dispatcher compiles it at submission, so a bad schema is
 * refused there; workers compile it once per distinct schema and check each output.
 */
public final class OutputSchema {

    private static final int MAX_VIOLATIONS = 5;

    private final JsonSchema schema;

    private OutputSchema(JsonSchema schema) {
        this.schema = schema;
    }

    /**
     * Compiles a schema, checking it against its meta-schema.
     *
     * @throws IllegalArgumentException naming {@code outputSchema} and what is wrong with it
     */
    public static OutputSchema compile(JsonNode schema) {
        Objects.requireNonNull(schema, "outputSchema");
        if (!schema.isObject() && !schema.isBoolean()) {
            throw new IllegalArgumentException("outputSchema must be a JSON Schema object (or true/false), was "
                    + schema.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        try {
            SpecVersion.VersionFlag version = schema.isObject() && schema.has("$schema")
                    ? SpecVersionDetector.detect(schema) : SpecVersion.VersionFlag.V202012;
            // no remote $ref: a schema comes from whoever submits a batch, and workers must not fetch what it names
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version, builder -> builder.schemaLoaders(
                    loaders -> loaders.values(list -> list.addFirst(new AllowSchemaLoader(OutputSchema::local)))));
            if (schema.isObject()) {
                JsonSchema meta = factory.getSchema(SchemaLocation.of(version.getId()));
                Set<ValidationMessage> problems = meta.validate(schema);
                if (!problems.isEmpty()) {
                    throw new IllegalArgumentException("outputSchema is not a valid JSON Schema: "
                            + describe(problems) + "; fix the schema (see https://json-schema.org)");
                }
            }
            return new OutputSchema(factory.getSchema(schema));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("outputSchema is not a valid JSON Schema: " + e.getMessage()
                    + "; fix the schema (see https://json-schema.org)", e);
        }
    }

    private static boolean local(AbsoluteIri iri) {
        String text = iri.toString();
        return text.startsWith("classpath:") || text.startsWith("resource:");
    }

    /** What is wrong with the output (a missing output counts as JSON {@code null}); empty when it matches. */
    public List<String> violations(JsonNode output) {
        Set<ValidationMessage> messages = schema.validate(output == null ? NullNode.getInstance() : output);
        return messages.stream().limit(MAX_VIOLATIONS).map(ValidationMessage::getMessage).toList();
    }

    private static String describe(Set<ValidationMessage> problems) {
        return String.join("; ", problems.stream().limit(MAX_VIOLATIONS).map(ValidationMessage::getMessage).toList());
    }
}
