package dev.fanout.broker;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secured embedded broker: one {@code SASL_SSL} listener for clients and brokers alike, with SCRAM-SHA-512 users
 * created when the storage is formatted and a self-signed certificate for {@code 127.0.0.1} made at start with the
 * JDK's {@code keytool}. The broker writes the matching client settings to {@code client.properties} in its
 * directory, for {@code --command-config}.
 *
 * @param user     the SCRAM user clients (and the broker itself) log in as
 * @param password its password, at least {@value #MIN_PASSWORD_CHARS} characters
 */
public record BrokerSecurity(String user, String password) {

    public static final int MIN_PASSWORD_CHARS = 12;
    public static final String DEFAULT_USER = "fanout";

    public BrokerSecurity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!user.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("broker.user may hold 1 to 64 letters, digits, '_' and '-', was '"
                    + user + "'");
        }
        if (password.length() < MIN_PASSWORD_CHARS || !password.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("broker.password must have at least " + MIN_PASSWORD_CHARS
                    + " letters, digits, '_' or '-'");
        }
    }

    /** The given user with a new random password. */
    public static BrokerSecurity generated(String user) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return new BrokerSecurity(user, HexFormat.of().formatHex(random));
    }

    /** The JAAS line that logs in as this user with SCRAM. */
    public String jaasConfig() {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        return "BrokerSecurity[user=" + user + ", password=[hidden]]";
    }
}
