package dev.fanout.broker.internal;

import dev.fanout.broker.BrokerStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code 127.0.0.1} and {@code localhost}, made with the JDK's {@code keytool}: the
 * broker's PKCS12 key store, and the certificate as PEM, which clients trust with {@code ssl.truststore.type=PEM}.
 *
 * @param keyStore    the broker's key store (PKCS12)
 * @param password    the key store's (and key's) password
 * @param certificate the certificate alone, PEM
 */
public record TlsMaterial(Path keyStore, String password, Path certificate) {

    private static final long TIMEOUT_SECONDS = 60;

    /** Makes a key pair and its certificate (valid 30 days) in {@code dir}. */
    public static TlsMaterial create(Path dir, String alias) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path keyStore = dir.resolve(alias + ".p12");
        Path certificate = dir.resolve(alias + ".pem");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=127.0.0.1, O=Fanout embedded broker", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password,
                "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-file", certificate.toString());
        return new TlsMaterial(keyStore, password, certificate);
    }

    private static void keytool(String... args) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new BrokerStartException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new BrokerStartException("cannot run " + keytool + " to make the broker's certificate: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while making the broker's certificate", e);
        }
    }
}
