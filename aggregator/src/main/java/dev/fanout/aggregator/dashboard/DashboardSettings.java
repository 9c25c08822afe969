package dev.fanout.aggregator.dashboard;

import java.util.Optional;

/**
 * The dashboard's settings: read-only (the default), or with actions guarded by a bearer token.
 *
 * @param actions what the action buttons do; {@code null} for a read-only dashboard
 * @param token   the token an action request must carry ({@code Authorization: Bearer <token>}); required with
 *                actions, at least {@value #MIN_TOKEN_CHARS} characters
 */
public record DashboardSettings(DashboardActions actions, String token) {

    /** The shortest token accepted. */
    public static final int MIN_TOKEN_CHARS = 16;

    public DashboardSettings {
        if (actions != null && (token == null || token.length() < MIN_TOKEN_CHARS)) {
            throw new IllegalArgumentException("dashboard token must have at least " + MIN_TOKEN_CHARS
                    + " characters when actions are on (set FANOUT_UI_TOKEN, or let the aggregator make one)");
        }
        if (actions == null && token != null) {
            throw new IllegalArgumentException("dashboard token is set but actions are off; start with --ui-actions"
                    + " to use it");
        }
    }

    /** A dashboard that shows and never changes anything. */
    public static DashboardSettings readOnly() {
        return new DashboardSettings(null, null);
    }

    /** The actions, when they are on. */
    public Optional<DashboardActions> enabledActions() {
        return Optional.ofNullable(actions);
    }

    @Override
    public String toString() {
        return "DashboardSettings[actions=" + (actions == null ? "off" : "on") + ", token=" + (token == null ? "none"
                : "[hidden]") + "]";
    }
}
