package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.index.CacheEntry;
import java.time.Instant;
import java.util.Optional;

/**
 * The pure caching decision: what to do for one request given the time, the stored entry (if any),
 * the rule and whether a fill of the key is already in flight. No I/O, no clock: the engine carries
 * the decision out. Tested as a table.
 */
public final class FreshnessDecision {
    private FreshnessDecision() {}

    /** What the engine must do. */
    public sealed interface Decision {
        /** Forward to the upstream without touching the cache. */
        record Bypass() implements Decision {}

        /** Serve the stored entry as a hit. */
        record Serve(CacheEntry entry) implements Decision {}

        /** Nothing usable is stored: start a fill, or join the one in flight. */
        record Fetch() implements Decision {}

        /** The entry is stale: send a conditional request (or join the refresh in flight) and wait for it. */
        record Revalidate(CacheEntry entry) implements Decision {}

        /** The entry is stale and a refresh is in flight; the busy policy says serve it now. */
        record ServeStale(CacheEntry entry) implements Decision {}
    }

    public static Decision decide(Instant now, Optional<CacheEntry> stored, CacheRule rule, boolean refreshInFlight) {
        if (rule.policy() == CachePolicy.BYPASS) {
            return new Decision.Bypass();
        }
        if (stored.isEmpty() || isExpired(stored.get(), rule, now)) {
            return new Decision.Fetch();
        }
        CacheEntry entry = stored.get();
        if (rule.policy() == CachePolicy.IMMUTABLE || rule.freshFor().isFresh(entry.validatedAt(), now)) {
            return new Decision.Serve(entry);
        }
        if (refreshInFlight && rule.busyPolicy() == BusyPolicy.STALE) {
            return new Decision.ServeStale(entry);
        }
        return new Decision.Revalidate(entry);
    }

    /** An entry not confirmed by the upstream within {@code expire_after} is gone. */
    public static boolean isExpired(CacheEntry entry, CacheRule rule, Instant now) {
        return rule.expireAfter().expired(entry.validatedAt(), now);
    }
}
