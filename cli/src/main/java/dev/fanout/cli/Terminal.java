package dev.fanout.cli;

import java.io.PrintStream;

/** Where output goes and whether it is an interactive terminal (live progress) or a pipe/file (plain lines). */
final class Terminal {

    /** Set by {@code scripts/fanout} from {@code [ -t 1 ]}; without it, whether the JVM has a console. */
    static final String TTY_PROPERTY = "fanout.tty";

    private Terminal() {
    }

    static boolean isInteractive() {
        String forced = System.getProperty(TTY_PROPERTY);
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    static PrintStream out() {
        return System.out;
    }
}
