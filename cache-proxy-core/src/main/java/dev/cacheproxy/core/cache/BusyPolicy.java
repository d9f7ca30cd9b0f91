package dev.cacheproxy.core.cache;

import java.util.List;
import java.util.Locale;

/** What a request for a stale key does while a refresh of that key is in flight. */
public enum BusyPolicy {
    /** Wait for the one refresh in flight (coalesced: never a second upstream request). */
    BYPASS,
    /** Serve the stored copy at once ({@code X-Cache: STALE}): stale-while-revalidate. */
    STALE;

    public static final List<String> NAMES = List.of("bypass", "stale");

    public static BusyPolicy parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
