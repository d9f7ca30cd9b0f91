package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.Map;

/**
 * One cached key of one instance: which blob holds the body, the response headers worth keeping
 * (lower-case names: {@code content-type}, {@code etag}, {@code last-modified}, ...), when it was
 * fetched and when the upstream last confirmed it. Freshness and expiry count from
 * {@code validatedAt}, so a 304 renews both.
 */
public record CacheEntry(String key, Digest blob, long size, Map<String, String> headers, Instant fetchedAt,
        Instant validatedAt) {
    public CacheEntry {
        headers = Map.copyOf(headers);
    }

    public CacheEntry revalidatedAt(Instant now) {
        return new CacheEntry(key, blob, size, headers, fetchedAt, now);
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
