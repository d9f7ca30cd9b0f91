package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import java.util.Objects;

/** The effective caching rule for one request, after a mode applied its defaults and rules. */
public record CacheRule(CachePolicy policy, Freshness freshFor, BusyPolicy busyPolicy, Expiration expireAfter) {
    public CacheRule {
        Objects.requireNonNull(policy);
        Objects.requireNonNull(freshFor);
        Objects.requireNonNull(busyPolicy);
        Objects.requireNonNull(expireAfter);
    }

    public static CacheRule immutable(Expiration expireAfter) {
        return new CacheRule(CachePolicy.IMMUTABLE, Freshness.FOREVER, BusyPolicy.BYPASS, expireAfter);
    }
}
