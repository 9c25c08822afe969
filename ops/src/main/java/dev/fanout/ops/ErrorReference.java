package dev.fanout.ops;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * What an HTTP client is told when something fails inside a service: a plain sentence and a reference, never the
 * exception's class, message or stack trace (they can name hosts, files, records or secrets). The detail is logged,
 * once per failure, at WARN with the same reference, so an operator can find it from what the client saw.
 *
 * <pre>
 * the request failed (reference e-5f3a09c1; the service's log has the detail)
 * </pre>
 */
public final class ErrorReference {

    private static final Map<Throwable, String> LOGGED = Collections.synchronizedMap(new WeakHashMap<>());

    private ErrorReference() {
    }

    /**
     * Logs {@code error} with a new reference the first time it is seen (a failure asked about on every health probe
     * is logged once), and returns the reference, e.g. {@code e-5f3a09c1}.
     *
     * @param what what failed, for the log line
     */
    public static String log(Logger log, String what, Throwable error) {
        boolean[] created = new boolean[1];
        String reference = LOGGED.computeIfAbsent(error, e -> {
            created[0] = true;
            return "e-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
        });
        if (created[0]) {
            log.warn("{} (reference {})", what, reference, error);
        }
        return reference;
    }

    /** {@code what}, with the reference of {@code error} (logged as {@link #log} does): safe to send to a client. */
    public static String describe(Logger log, String what, Throwable error) {
        return what + " (reference " + log(log, what, error) + "; the service's log has the detail)";
    }
}
