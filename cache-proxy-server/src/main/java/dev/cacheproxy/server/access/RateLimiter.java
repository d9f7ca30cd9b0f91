package dev.cacheproxy.server.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (a principal's name or a client's address): {@code burst} requests at once,
 * refilled at {@code perSecond}. Keys unused for ten minutes are forgotten, and at most 100,000 are held, so
 * a scan from many addresses costs bounded memory (a forgotten key starts with a full bucket).
 */
final class RateLimiter {
    private static final long NANOS = 1_000_000_000L;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    RateLimiter(double perSecond, int burst, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
    }

    /** 0 when {@code key} may make a request now (and it is counted), else the seconds until it may. */
    long take(String key) {
        long now = nanos.getAsLong();
        Bucket b = buckets.get(key, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perSecond / NANOS);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
        }
    }
}
