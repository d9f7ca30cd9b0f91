package dev.cacheproxy.core.cache;

import java.util.List;
import java.util.Locale;

/** How a key is cached, as named in the YAML ({@code bypass | immutable | revalidate}). */
public enum CachePolicy {
    /** Forward every request; store nothing. */
    BYPASS,
    /** Once stored, serve until expiry or eviction without asking the upstream. */
    IMMUTABLE,
    /** Fresh for {@code fresh_for}, then a conditional request; 304 or an unchanged validator renews freshness. */
    REVALIDATE;

    public static final List<String> NAMES = List.of("bypass", "immutable", "revalidate");

    public static CachePolicy parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
