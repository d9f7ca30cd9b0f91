package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One cached key of one instance: which blob holds the body, the response headers worth keeping
 * (lower-case names: {@code content-type}, {@code etag}, {@code last-modified}, ...), when it was
 * fetched and when the upstream last confirmed it. Freshness and expiry count from
 * {@code validatedAt}, so a 304 renews both. {@code verified} says whether the body was checked
 * against a digest its metadata states (npm's {@code dist.integrity}, an index hash, a checksum
 * header): an entry stored before its digest was known is checked once it is.
 *
 * <p>Immutable, with value equality over its seven fields (a record's contract). It is a class and not
 * a record for one reason: it keeps the response headers a hit replays ({@link #replayed}), built once
 * per entry instead of once per hit — the hot index hands out the same instance to every hit of a key.
 */
public final class CacheEntry {
    private final String key;
    private final Digest blob;
    private final long size;
    private final Map<String, String> headers;
    private final Instant fetchedAt;
    private final Instant validatedAt;
    private final boolean verified;
    /** What {@link #replayed} built, or null before the first hit; racy but idempotent (Headers is immutable). */
    private volatile Headers replayed;
    /** The SHA-256 of the key, made on first use (the use table's look-up on a hit); racy but idempotent. */
    private volatile byte[] keyDigest;

    public CacheEntry(String key, Digest blob, long size, Map<String, String> headers, Instant fetchedAt,
            Instant validatedAt, boolean verified) {
        this.key = key;
        this.blob = blob;
        this.size = size;
        this.headers = Map.copyOf(headers);
        this.fetchedAt = fetchedAt;
        this.validatedAt = validatedAt;
        this.verified = verified;
    }

    /** An entry whose body no stated digest has vouched for (yet). */
    public CacheEntry(String key, Digest blob, long size, Map<String, String> headers, Instant fetchedAt,
            Instant validatedAt) {
        this(key, blob, size, headers, fetchedAt, validatedAt, false);
    }

    public String key() {
        return key;
    }

    public Digest blob() {
        return blob;
    }

    public long size() {
        return size;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Instant fetchedAt() {
        return fetchedAt;
    }

    public Instant validatedAt() {
        return validatedAt;
    }

    public boolean verified() {
        return verified;
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

    /**
     * The response headers a hit on this entry replays, made by {@code replay} on the first call and the same
     * instance afterwards (so what a transport derives from them once, {@link Headers#derived}, is reused too).
     * {@code replay} must depend on this entry only.
     */
    public Headers replayed(Function<CacheEntry, Headers> replay) {
        Headers h = replayed;
        if (h == null) {
            h = replay.apply(this);
            replayed = h;
        }
        return h;
    }

    /** The SHA-256 of the key's UTF-8 bytes, which names the entry in its store; made once per instance. Not to be changed. */
    byte[] keyDigest() {
        byte[] d = keyDigest;
        if (d == null) {
            d = digestOfKey(key);
            keyDigest = d;
        }
        return d;
    }

    /** The SHA-256 of {@code key}'s UTF-8 bytes: {@link Digest#sha256Of}'s hash, raw (no hex on the hit path). */
    static byte[] digestOfKey(String key) {
        return DigestAlgorithm.SHA256.newMessageDigest().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheEntry e && size == e.size && verified == e.verified && key.equals(e.key)
                && blob.equals(e.blob) && headers.equals(e.headers) && fetchedAt.equals(e.fetchedAt)
                && validatedAt.equals(e.validatedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, blob, size, headers, fetchedAt, validatedAt, verified);
    }

    @Override
    public String toString() {
        return "CacheEntry[key=" + key + ", blob=" + blob + ", size=" + size + ", headers=" + headers + ", fetchedAt="
                + fetchedAt + ", validatedAt=" + validatedAt + ", verified=" + verified + "]";
    }
}
