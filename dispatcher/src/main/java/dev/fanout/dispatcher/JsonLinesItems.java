package dev.fanout.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.config.ConfigException;
import dev.fanout.config.StrictMapper;
import dev.fanout.protocol.JsonErrors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Items as JSON Lines (one item per line; blank lines are skipped), streamed from a file or standard input.
 * Invalid lines fail with their line number ({@code items.jsonl line 7: ...}).
 */
public final class JsonLinesItems implements ItemSource {

    private static final ObjectMapper MAPPER = StrictMapper.json();
    private static final int BUFFER_CHARS = 1 << 16;

    private final BufferedReader reader;
    private final OptionalLong size;
    private final String name;
    private long line;

    private JsonLinesItems(BufferedReader reader, OptionalLong size, String name) {
        this.reader = reader;
        this.size = size;
        this.name = name;
    }

    /** Reads a stream whose size is not known in advance (standard input). */
    public static JsonLinesItems of(InputStream in, String name) {
        return new JsonLinesItems(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), BUFFER_CHARS),
                OptionalLong.empty(), name);
    }

    /** Opens a file without reading it first: its size is unknown until the end. */
    public static JsonLinesItems file(Path file) {
        return open(file, OptionalLong.empty());
    }

    /**
     * Opens a file whose valid items were counted by an earlier pass (e.g. {@code Dispatcher.validate}), so that
     * the batch's total is known up front.
     */
    public static JsonLinesItems file(Path file, long validItems) {
        return open(file, OptionalLong.of(validItems));
    }

    /**
     * Opens a file after parsing every line and counting the items, so that a file with an invalid line publishes
     * nothing and the batch's total is known up front.
     *
     * @throws InvalidItemException for the first invalid line
     */
    public static JsonLinesItems validatedFile(Path file) {
        long count = 0;
        try (JsonLinesItems check = open(file, OptionalLong.empty())) {
            while (check.next() != null) {
                count++;
            }
        }
        return open(file, OptionalLong.of(count));
    }

    private static JsonLinesItems open(Path file, OptionalLong size) {
        try {
            return new JsonLinesItems(Files.newBufferedReader(file, StandardCharsets.UTF_8), size, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public DispatchItem next() {
        String text;
        try {
            do {
                text = reader.readLine();
                line++;
            } while (text != null && text.isBlank());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": read failed at line " + line, e);
        }
        if (text == null) {
            return null;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidItemException(position(),
                    JsonErrors.describe(e, "").replaceAll(" \\(line \\d+, column \\d+\\)$", ""), e);
        }
        return DispatchItem.fromJson(node, this::position);
    }

    @Override
    public String position() {
        return line == 0 ? "" : name + " line " + line;
    }

    @Override
    public OptionalLong size() {
        return size;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
