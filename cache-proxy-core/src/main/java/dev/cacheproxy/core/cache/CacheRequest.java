package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import java.util.List;

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
 */
public record CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
        Headers clientHeaders, CacheRule rule, List<Digest> expected) {
    public CacheRequest {
        expected = List.copyOf(expected);
    }
}
