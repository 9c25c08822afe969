package dev.fanout.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.config.ConfigException;
import dev.fanout.config.StrictMapper;
import dev.fanout.protocol.JsonErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Items as JSON Lines (one item per line; blank lines are skipped), streamed from a file or standard input.
 * Invalid lines, bytes that are not UTF-8 included, fail with their line number ({@code items.jsonl line 7: ...}),
 * and the next call goes on with the line after.
 */
public final class JsonLinesItems implements ItemSource {

    private static final ObjectMapper MAPPER = StrictMapper.json();
    private static final int BUFFER_BYTES = 1 << 16;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private final ByteArrayOutputStream text = new ByteArrayOutputStream(256);
    private int pos;
    private int limit;
    private final OptionalLong size;
    private final String name;
    private long line;

    private JsonLinesItems(InputStream in, OptionalLong size, String name) {
        this.in = in;
        this.size = size;
        this.name = name;
    }

    /** Reads a stream whose size is not known in advance (standard input). */
    public static JsonLinesItems of(InputStream in, String name) {
        return new JsonLinesItems(in, OptionalLong.empty(), name);
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
            return new JsonLinesItems(Files.newInputStream(file), size, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public DispatchItem next() {
        byte[] bytes;
        try {
            do {
                if (!readLine()) {
                    return null;
                }
                line++;
                bytes = text.toByteArray();
            } while (blank(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": read failed at line " + (line + 1), e);
        }
        JsonNode node;
        try {
            // the line's bytes as they are: the parser checks them as UTF-8 (a bad byte is this line's error)
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidItemException(position(),
                    JsonErrors.describe(e, "").replaceAll(" \\(line \\d+, column \\d+\\)$", ""), e);
        } catch (IOException e) {
            throw new InvalidItemException(position(), "not UTF-8 text: " + e.getMessage() + "; save it as UTF-8", e);
        }
        return DispatchItem.fromJson(node, this::position);
    }

    /** Reads the next line's bytes (without its line break) into {@link #text}; false at the end of the input. */
    private boolean readLine() throws IOException {
        text.reset();
        boolean any = false;
        while (true) {
            if (pos == limit) {
                int read = in.read(buffer);
                if (read < 0) {
                    return any;
                }
                pos = 0;
                limit = read;
            }
            any = true;
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') {
                pos++;
            }
            text.write(buffer, start, pos - start);
            if (pos < limit) {
                pos++;
                return true;
            }
        }
    }

    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
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
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
