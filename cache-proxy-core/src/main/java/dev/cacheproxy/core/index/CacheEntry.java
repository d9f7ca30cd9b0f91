package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.Map;

/**
 * One cached key of one instance: which blob holds the body, the response headers worth keeping
 * (lower-case names: {@code content-type}, {@code etag}, {@code last-modified}, ...), when it was
 * fetched and when the upstream last confirmed it. Freshness and expiry count from
 * {@code validatedAt}, so a 304 renews both. {@code verified} says whether the body was checked
 * against a digest its metadata states (npm's {@code dist.integrity}, an index hash, a checksum
 * header): an entry stored before its digest was known is checked once it is.
 */
public record CacheEntry(String key, Digest blob, long size, Map<String, String> headers, Instant fetchedAt,
        Instant validatedAt, boolean verified) {
    public CacheEntry {
        headers = Map.copyOf(headers);
    }

    /** An entry whose body no stated digest has vouched for (yet). */
    public CacheEntry(String key, Digest blob, long size, Map<String, String> headers, Instant fetchedAt,
            Instant validatedAt) {
        this(key, blob, size, headers, fetchedAt, validatedAt, false);
    }

    public CacheEntry revalidatedAt(Instant now) {
        return new CacheEntry(key, blob, size, headers, fetchedAt, now, verified);
    }

    /** This entry, marked as checked against a stated digest. */
    public CacheEntry asVerified() {
        return new CacheEntry(key, blob, size, headers, fetchedAt, validatedAt, true);
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
