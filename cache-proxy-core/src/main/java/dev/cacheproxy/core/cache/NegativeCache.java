package dev.cacheproxy.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Remembers upstream 404/410 answers for a short time so that probe storms (maven, go, npm clients
 * asking every repository for every artifact) do not all reach the upstream. In memory only: after
 * a restart the first probe asks again, which is harmless.
 */
final class NegativeCache {
    record Miss(int status, byte[] body, Instant until) {}

    private final Duration ttl;
    private final InstantSource clock;
    private final Cache<String, Miss> misses = Caffeine.newBuilder().maximumSize(50_000).build();

    NegativeCache(Duration ttl, InstantSource clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    void remember(String key, int status, byte[] body) {
        if (!ttl.isZero() && !ttl.isNegative()) {
            misses.put(key, new Miss(status, body, clock.instant().plus(ttl)));
        }
    }

    Optional<Miss> find(String key) {
        Miss m = misses.getIfPresent(key);
        if (m == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(m.until())) {
            misses.invalidate(key);
            return Optional.empty();
        }
        return Optional.of(m);
    }

    void forget(String key) {
        misses.invalidate(key);
    }

    void forgetMatching(Predicate<String> keys) {
        misses.asMap().keySet().removeIf(keys);
    }
}
