package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a mode asks of the engine for one client request.
 *
 * @param key the cache key inside the instance (a mode's own naming, e.g. the decoded path)
 * @param method GET or HEAD (as the client sent it)
 * @param encodedPath the path below each upstream base, percent-encoded
 * @param rawQuery the query sent upstream (empty for none)
 * @param upstreamHeaders headers to send upstream (pass-headers, Accept); never credentials of the client
 * @param clientHeaders the client's request headers (for bypass Range forwarding)
 * @param rule the effective policy
 * @param expected digests the body must match before it is stored (may be empty)
 * @param checksumHeaders response headers that state the body's digest ({@code X-Checksum-Sha1} and the
 *     like, as Maven repositories send them): algorithm by header name; a stated digest is checked too
 */
public record CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
        Headers clientHeaders, CacheRule rule, List<Digest> expected, Map<String, String> checksumHeaders) {
    public CacheRequest {
        expected = List.copyOf(expected);
        checksumHeaders = Map.copyOf(checksumHeaders);
    }

    public CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
            Headers clientHeaders, CacheRule rule, List<Digest> expected) {
        this(key, method, encodedPath, rawQuery, upstreamHeaders, clientHeaders, rule, expected, Map.of());
    }

    /** {@link #expected} plus what the upstream's checksum headers state (malformed values are ignored). */
    public List<Digest> expectedWith(Headers response) {
        if (checksumHeaders.isEmpty()) {
            return expected;
        }
        List<Digest> all = new ArrayList<>(expected);
        checksumHeaders.forEach((header, algorithm) -> response.first(header).ifPresent(v -> {
            try {
                all.add(new Digest(algorithm, v.trim().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException malformed) {
                // not a digest of that algorithm: nothing stated
            }
        }));
        return all;
    }
}
