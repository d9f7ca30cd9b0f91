package dev.cacheproxy.core.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long a revalidated object counts as fresh ({@code fresh_for}). {@code forever},
 * {@code always}, {@code infinite} and the literal {@code 0} mean "always fresh", as in the Go
 * project. An unset freshness is modelled by the caller as {@link #NONE}: never fresh, every hit
 * revalidates.
 */
public record Freshness(Duration window, boolean forever) {
    public static final Freshness FOREVER = new Freshness(null, true);
    /** Unset: never fresh, so every request revalidates. */
    public static final Freshness NONE = new Freshness(Duration.ZERO, false);

    public Freshness {
        if (!forever) {
            Objects.requireNonNull(window);
            if (window.isNegative()) {
                throw new IllegalArgumentException("freshness must not be negative");
            }
        }
    }

    public static Freshness of(Duration window) {
        return window.isZero() ? NONE : new Freshness(window, false);
    }

    /** Whether something validated at {@code validatedAt} is still fresh at {@code now}. */
    public boolean isFresh(Instant validatedAt, Instant now) {
        return forever || now.isBefore(validatedAt.plus(window));
    }

    public static Freshness parse(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("forever") || s.equals("always") || s.equals("infinite") || s.equals("0")) {
            return FOREVER;
        }
        Duration d = GoDuration.parse(s);
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is negative (expected a duration or forever)");
        }
        return d.isZero() ? FOREVER : of(d);
    }

    @Override
    public String toString() {
        return forever ? "forever" : window.isZero() ? "unset" : GoDuration.format(window);
    }
}
