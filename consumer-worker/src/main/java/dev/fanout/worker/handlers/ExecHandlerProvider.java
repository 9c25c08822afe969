package dev.fanout.worker.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.config.Durations;
import dev.fanout.handler.Item;
import dev.fanout.handler.ItemHandler;
import dev.fanout.handler.ItemHandlerProvider;
import dev.fanout.handler.RetriableException;
import dev.fanout.protocol.Envelopes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code exec}: runs a command per item with the payload (JSON) on its standard input. Settings: {@code command}
 * (required, a list: program and arguments), {@code timeout} (default 60s). Exit 0 is success and standard output the
 * output (JSON when it parses, text otherwise); exit 75 ({@code EX_TEMPFAIL}) is retriable; any other exit is a
 * failure carrying the end of standard error. A timeout, or the worker stopping the item, kills the whole process
 * tree. The item's identity is in the environment: {@code FANOUT_BATCH_ID}, {@code FANOUT_ITEM_ID},
 * {@code FANOUT_ITEM_INDEX}, {@code FANOUT_TRACE_ID}, {@code FANOUT_ATTEMPT}.
 */
public final class ExecHandlerProvider implements ItemHandlerProvider {

    public static final String NAME = "exec";
    /** Standard output beyond this is cut; a handler's output should stay small. */
    public static final int MAX_OUTPUT_BYTES = 1_048_576;
    static final int EX_TEMPFAIL = 75;
    private static final Set<String> SETTINGS = Set.of("command", "timeout");

    @Override
    public String name() {
        return NAME;
    }

    /** An exec handler needs a command: it is offered only as configured under {@code handlers}. */
    @Override
    public boolean offeredByDefault() {
        return false;
    }

    @Override
    public ItemHandler create(JsonNode settings) {
        HandlerSettings.requireKnown(settings, NAME, SETTINGS);
        JsonNode commandNode = settings.path("command");
        if (!commandNode.isArray() || commandNode.isEmpty()) {
            throw new IllegalArgumentException("exec.command must be a non-empty list, e.g. [python3, score.py]");
        }
        List<String> command = new ArrayList<>();
        commandNode.forEach(part -> command.add(part.asText()));
        Duration timeout = settings.has("timeout")
                ? Durations.parse(settings.get("timeout").asText(), "exec.timeout") : Duration.ofSeconds(60);
        return item -> run(command, timeout, item);
    }

    private static JsonNode run(List<String> command, Duration timeout, Item item) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("FANOUT_BATCH_ID", item.context().batchId());
        builder.environment().put("FANOUT_ITEM_ID", item.context().itemId());
        builder.environment().put("FANOUT_ITEM_INDEX", Long.toString(item.context().index()));
        builder.environment().put("FANOUT_TRACE_ID", item.context().traceId());
        builder.environment().put("FANOUT_ATTEMPT", Integer.toString(item.context().attempt()));
        Process process = builder.start();
        try {
            CompletableFuture<byte[]> stdout = drain(process.getInputStream(), MAX_OUTPUT_BYTES);
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream(), 64 * 1024);
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(Envelopes.encode(item.payload()));
            } catch (IOException closedEarly) {
                // the command does not read its input; that is its choice
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
                throw new RetriableException(String.join(" ", command) + " timed out after "
                        + Durations.format(timeout) + "; its process tree was killed");
            }
            int exit = process.exitValue();
            if (exit == 0) {
                return output(new String(stdout.join(), StandardCharsets.UTF_8));
            }
            String message = String.join(" ", command) + " exited with " + exit + ": "
                    + tail(new String(stderr.join(), StandardCharsets.UTF_8));
            if (exit == EX_TEMPFAIL) {
                throw new RetriableException(message);
            }
            throw new IllegalStateException(message);
        } finally {
            if (process.isAlive()) {
                killTree(process); // interrupted: the worker is stopping or the item timed out
            }
        }
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static CompletableFuture<byte[]> drain(InputStream in, int limit) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    kept.write(buffer, 0, Math.max(0, Math.min(n, limit - kept.size())));
                }
                result.complete(kept.toByteArray());
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return result;
    }

    private static JsonNode output(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Envelopes.mapper().readTree(text);
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(text.strip());
        }
    }

    private static String tail(String text) {
        String stripped = text.strip();
        return stripped.length() <= 1_000 ? stripped : "…" + stripped.substring(stripped.length() - 1_000);
    }
}
