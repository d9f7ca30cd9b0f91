package dev.cacheproxy.core.cache;

import java.util.List;
import java.util.Locale;

/**
 * What a request for a stale key does while a refresh of that key is in flight. {@code join}, the
 * name the Go project's later README uses for "subscribe to the fill in flight", is what our
 * {@code bypass} has always done, and is read as it.
 */
public enum BusyPolicy {
    /** Wait for the one refresh in flight (coalesced: never a second upstream request). */
    BYPASS,
    /** Serve the stored copy at once ({@code X-Cache: STALE}): stale-while-revalidate. */
    STALE;

    public static final List<String> NAMES = List.of("bypass", "stale", "join");

    public static BusyPolicy parse(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.equals("JOIN") ? BYPASS : valueOf(n);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
