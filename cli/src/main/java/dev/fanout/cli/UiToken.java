package dev.fanout.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** A new random token for the dashboard's actions, written to a file only its owner can read. */
final class UiToken {

    private static final int BYTES = 24;

    private UiToken() {
    }

    /** Makes a token and writes it to {@code file} (replacing an earlier one), readable by its owner only. */
    static String create(Path file) {
        byte[] random = new byte[BYTES];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dashboard token to " + file + ": " + e.getMessage()
                    + "; set " + AggregatorCommand.UI_TOKEN_ENV + " instead", e);
        }
    }
}
