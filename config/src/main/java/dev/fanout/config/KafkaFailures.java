package dev.fanout.config;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * One line for a failure to talk to Kafka, saying which setting to check: the credentials (SASL), the certificate
 * trust (TLS), the ACLs, or the address. Secrets of the settings never appear in it.
 */
public final class KafkaFailures {

    private KafkaFailures() {
    }

    /**
     * @param doing what was being done ("set up topics"), for the message
     */
    public static ConfigException describe(Throwable failure, KafkaSettings settings, String doing) {
        String at = "Kafka at " + settings.bootstrapServers();
        String message;
        Throwable sasl = find(failure, SaslAuthenticationException.class);
        Throwable tls = find(failure, SslAuthenticationException.class);
        Throwable acl = find(failure, AuthorizationException.class);
        if (sasl != null) {
            message = at + " refused the credentials (" + sasl.getMessage() + "); check the user and password in"
                    + " sasl.jaas.config (--command-config or " + KafkaClientProperties.ENV_PREFIX
                    + "SASL_JAAS_CONFIG) and sasl.mechanism";
        } else if (tls != null) {
            message = "the TLS handshake with " + at + " failed (" + rootMessage(tls) + "); check that"
                    + " ssl.truststore.location (--command-config) trusts the broker's certificate and that"
                    + " security.protocol matches the listener";
        } else if (acl != null) {
            message = at + " does not allow this user to " + doing + " (" + acl.getMessage() + "); grant the ACLs"
                    + " in docs/ARCHITECTURE.md or use a user that has them";
        } else {
            message = "cannot reach " + at + " to " + doing + " (" + rootMessage(failure) + "); check"
                    + " --bootstrap-servers, security.protocol, and that the brokers are up";
        }
        return new ConfigException(KafkaClientProperties.scrub(message, settings.clientOverrides()), failure);
    }

    /** The first cause of the given type, or {@code null}. */
    public static Throwable find(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable at = failure; at != null; at = at.getCause()) {
            if (type.isInstance(at)) {
                return at;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
