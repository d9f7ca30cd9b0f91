package dev.cacheproxy.core.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long a cached object may live ({@code expire_after}). As in the Go project, {@code never},
 * {@code none}, {@code infinite} and the literal {@code 0} mean "never expire".
 */
public record Expiration(Duration maxAge) {
    private static final Expiration NEVER = new Expiration(null);
    public static final Expiration DEFAULT = new Expiration(Duration.ofHours(720));

    public Expiration {
        if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
            throw new IllegalArgumentException("expiration must be positive or never");
        }
    }

    public static Expiration never() {
        return NEVER;
    }

    public static Expiration after(Duration d) {
        return new Expiration(Objects.requireNonNull(d));
    }

    public boolean isNever() {
        return maxAge == null;
    }

    /** Whether something stored (or last confirmed) at {@code since} has expired at {@code now}. */
    public boolean expired(Instant since, Instant now) {
        return maxAge != null && !now.isBefore(since.plus(maxAge));
    }

    public static Expiration parse(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("never") || s.equals("none") || s.equals("infinite") || s.equals("0")) {
            return NEVER;
        }
        Duration d = GoDuration.parse(s);
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is negative (expected a duration or never)");
        }
        return d.isZero() ? NEVER : after(d);
    }

    @Override
    public String toString() {
        return isNever() ? "never" : GoDuration.format(maxAge);
    }
}
