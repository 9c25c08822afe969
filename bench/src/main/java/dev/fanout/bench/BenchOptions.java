package dev.fanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What the benchmarks and the fault suite share: {@code --name value} options and removing their work folders. */
public final class BenchOptions {

    private BenchOptions() {
    }

    /** {@code --name value} pairs by name (without the dashes). */
    public static Map<String, String> parse(List<String> args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            if (!args.get(i).startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException("expected --option value, was '" + args.get(i) + "'");
            }
            options.put(args.get(i).substring(2), args.get(i + 1));
        }
        return options;
    }

    /** After a run: removes its work folder when it went well and its logs are not kept, else says where they are. */
    static void cleanUp(Path dir, boolean ok, boolean keepLogs) throws IOException {
        if (ok && !keepLogs) {
            deleteTree(dir);
        } else {
            System.err.println("bench: logs kept in " + dir);
        }
    }

    /** Removes a folder and everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
