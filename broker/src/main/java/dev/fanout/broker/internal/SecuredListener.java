package dev.fanout.broker.internal;

import dev.fanout.broker.BrokerSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Turns an embedded broker's client listener into {@code SASL_SSL} (SCRAM-SHA-512 over TLS), used by clients and by
 * the broker itself; the KRaft controller listener stays plain text on 127.0.0.1. Writes the broker's certificate,
 * the SCRAM users for formatting, and the client settings, each readable by its owner only.
 */
final class SecuredListener {

    static final String MECHANISM = "SCRAM-SHA-512";
    private static final String CLIENT_CONFIG = "client.properties";
    private static final String SCRAM_USERS = "scram-users";

    private SecuredListener() {
    }

    static Path clientConfig(Path dir) {
        return dir.resolve(CLIENT_CONFIG);
    }

    static Path scramUsers(Path dir) {
        return dir.resolve(SCRAM_USERS);
    }

    /**
     * A node's server properties with the client listener secured; writes its SCRAM users file and, once in
     * {@code root}, the client settings. Every node uses the same certificate {@code tls}.
     */
    static String write(Path root, Path dir, BrokerSecurity security, TlsMaterial tls, String plainProperties)
            throws IOException {
        String properties = plainProperties
                .replace("listeners=PLAINTEXT://", "listeners=SASL_SSL://")
                .replace("inter.broker.listener.name=PLAINTEXT", "inter.broker.listener.name=SASL_SSL")
                .replace("listener.security.protocol.map=PLAINTEXT:PLAINTEXT",
                        "listener.security.protocol.map=SASL_SSL:SASL_SSL");
        properties += String.join("\n",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_ssl." + MECHANISM.toLowerCase() + ".sasl.jaas.config=" + security.jaasConfig(),
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + tls.keyStore(),
                "ssl.keystore.password=" + tls.password(),
                "ssl.key.password=" + tls.password(),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + tls.certificate(),
                "ssl.client.auth=none",
                "");
        writePrivate(scramUsers(dir), MECHANISM + "=[name=" + security.user() + ",password=" + security.password()
                + "]\n");
        writePrivate(clientConfig(root), String.join("\n",
                "# Client settings of the embedded broker: pass this file as --command-config",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=" + MECHANISM,
                "sasl.jaas.config=" + security.jaasConfig(),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + tls.certificate(),
                ""));
        return properties;
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
