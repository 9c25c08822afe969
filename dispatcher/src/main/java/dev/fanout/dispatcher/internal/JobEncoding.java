package dev.fanout.dispatcher.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.protocol.Envelopes;
import dev.fanout.protocol.ItemExecution;
import dev.fanout.protocol.JobRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;

/**
 * Job records as bytes on the publishing hot path: the same JSON as {@link Envelopes#encode} (tests compare the
 * two field by field), written with Jackson's streaming generator instead of reflection, with the last timestamp's
 * text remembered, since many items are published in the same millisecond, and the batch's execution settings
 * turned into JSON once. Not thread-safe: one per dispatch.
 */
final class JobEncoding {

    private static final JsonFactory FACTORY = Envelopes.mapper().getFactory();

    private Instant lastInstant;
    private String lastInstantText;
    private ItemExecution lastExecution;
    private JsonNode lastExecutionTree;

    byte[] encode(JobRecord job) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(512);
                JsonGenerator out = FACTORY.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeNumberField("schemaVersion", job.schemaVersion());
            out.writeStringField("batchId", job.batchId());
            out.writeStringField("itemId", job.itemId());
            out.writeNumberField("index", job.index());
            if (job.total() != null) {
                out.writeNumberField("total", job.total());
            }
            out.writeStringField("handler", job.handler());
            if (job.settings() != null) {
                out.writeFieldName("settings");
                writeTree(out, job.settings());
            }
            if (job.payload() != null) {
                out.writeFieldName("payload");
                writeTree(out, job.payload());
            }
            out.writeStringField("traceId", job.traceId());
            out.writeNumberField("attempt", job.attempt());
            out.writeStringField("createdAt", text(job.createdAt()));
            if (job.expiresAt() != null) {
                out.writeStringField("expiresAt", DateTimeFormatter.ISO_INSTANT.format(job.expiresAt()));
            }
            if (job.execution() != null) {
                out.writeFieldName("execution");
                writeTree(out, tree(job.execution()));
            }
            if (job.compensation() != null) {
                out.writeFieldName("compensation");
                writeTree(out, Envelopes.mapper().valueToTree(job.compensation()));
            }
            out.writeEndObject();
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the job of item " + job.index(), e);
        }
    }

    /** The execution settings as JSON, made once: every job of a batch shares one instance. */
    private JsonNode tree(ItemExecution execution) {
        if (execution != lastExecution) {
            lastExecution = execution;
            lastExecutionTree = Envelopes.mapper().valueToTree(execution);
        }
        return lastExecutionTree;
    }

    private String text(Instant instant) {
        if (!instant.equals(lastInstant)) {
            lastInstant = instant;
            lastInstantText = DateTimeFormatter.ISO_INSTANT.format(instant);
        }
        return lastInstantText;
    }

    /** Writes a JSON tree as it is, without a serializer provider. */
    private static void writeTree(JsonGenerator out, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    out.writeFieldName(field.getKey());
                    writeTree(out, field.getValue());
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode element : node) {
                    writeTree(out, element);
                }
                out.writeEndArray();
            }
            case STRING -> out.writeString(node.textValue());
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL, MISSING -> out.writeNull();
            case NUMBER -> writeNumber(out, node);
            default -> Envelopes.mapper().writeTree(out, node); // binary, POJO: not produced by parsing JSON
        }
    }

    private static void writeNumber(JsonGenerator out, JsonNode node) throws IOException {
        switch (node.numberType()) {
            case INT -> out.writeNumber(node.intValue());
            case LONG -> out.writeNumber(node.longValue());
            case BIG_INTEGER -> out.writeNumber(node.bigIntegerValue());
            case FLOAT -> out.writeNumber(node.floatValue());
            case DOUBLE -> out.writeNumber(node.doubleValue());
            default -> out.writeNumber(node.decimalValue());
        }
    }
}
